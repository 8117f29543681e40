// Public API of src/formats/indexed-dataset.
export {};

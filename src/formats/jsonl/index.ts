// Public API of src/formats/jsonl.
export {};

// Public API of src/formats/sentencepiece.
export {};

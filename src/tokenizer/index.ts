// Public API of src/tokenizer (filled as the stage lands).
export {};

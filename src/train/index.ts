// Public API of src/train (filled as the stage lands).
export {};

// Public API of src/prepare (filled as the stage lands).
export {};

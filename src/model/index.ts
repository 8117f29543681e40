// Public API of src/model (filled as the stage lands).
export {};

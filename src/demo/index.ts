// Public API of src/demo (filled as the stage lands).
export {};

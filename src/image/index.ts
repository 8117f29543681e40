// Public API of src/image (filled as the stage lands).
export {};

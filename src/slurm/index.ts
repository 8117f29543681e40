// Public API of src/slurm (filled as the stage lands).
export {};

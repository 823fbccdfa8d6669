-- GPU names that no alias in data/seed/gpu_models.csv maps to a canonical model.
SELECT * FROM marts.unknown_gpu_models

-- H100-equivalents of one GPU model (marts.gpu_h100e: dense BF16 tensor FLOPS / H100 SXM's, and the
-- memory-aware variant); no row when the model has no compute figure. $1 gpu_model.
SELECT gpu_model, bf16_dense_tflops, h100e, h100e_memory FROM marts.gpu_h100e WHERE gpu_model = $1;

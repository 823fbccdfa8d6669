-- marts.gpu_h100e: one row per gpu_model with a dense FP16/BF16 figure in core.gpu_specs.
-- fp16_dense_flops in FLOP/s (the highest figure when Epoch lists several variants of one model, as
-- etl.sources.epoch_hardware.h100_equivalents does); h100e is dimensionless: that figure divided by
-- H100 SXM's, so a price per GPU-hour / h100e is a price per H100-equivalent hour. h100e is NULL when
-- there is no H100 SXM figure, and the table is empty (not missing) when core.gpu_specs is.
CREATE OR REPLACE TABLE marts.gpu_h100e AS
WITH flops AS (
    SELECT gpu_model,
           max(fp16_dense_flops) AS fp16_dense_flops,
           string_agg(DISTINCT hardware_name, '; ' ORDER BY hardware_name) AS hardware_names,
           string_agg(DISTINCT source, ', ' ORDER BY source) AS source
    FROM core.gpu_specs
    WHERE fp16_dense_flops > 0
    GROUP BY gpu_model
)
SELECT gpu_model,
       fp16_dense_flops,
       fp16_dense_flops / (SELECT max(fp16_dense_flops) FROM flops WHERE gpu_model = 'H100 SXM') AS h100e,
       hardware_names,
       source
FROM flops
ORDER BY fp16_dense_flops DESC, gpu_model;

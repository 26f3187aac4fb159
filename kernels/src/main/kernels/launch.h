// Launch geometry that the kernels and their host launchers share: the Java launchers
// (engine/.../backend/device/*Launches.java) read these numbers from this file in the kernels jar through
// LaunchGeometry, so each one is written here only. Lines of the form `#define NAME integer` alone.
#ifndef CART_LAUNCH_H
#define CART_LAUNCH_H

#define BLOCK_THREADS 256   // threads per block of the grid-stride and tiled kernels (whole warps)
#define GT_T 64             // gemm_tiled: edge of the square C tile of a block
#define RB_T 128            // gemm_rb128_f32, gemm_tf32_f32: edge of the square C tile of a block
#define AT_BQ_F32 32        // attention, float program: query rows (forward, dq) or key rows (dk, dv) of a block
#define AT_BQ_F64 16        // attention, double program: half as many (each element takes twice the shared memory)
#define AT_DC 64            // attention: chunk of the head dimension held in shared memory by a block
#define AT_DELTA_ROWS 8     // attention_bwd_delta: rows of a block, one warp each
#define COL_TILE 32         // reduce_cols, layernorm_bwd_params_partial: columns of a block, one warp wide
#define VQ_BN 32            // vq_nearest: rows of x of a block

#endif

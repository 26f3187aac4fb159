package org.cartengine.engine.backend.device;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cartengine.engine.DType;

/**
 * The launch geometry the launchers share with the kernels (threads per block, tile edges), read once from
 * kernels/src/main/kernels/launch.h in the kernels jar, where each number is written: a tile size changed there
 * changes the kernel and its launch grid together.
 */
final class LaunchGeometry {
  private static final Map<String, Integer> DEFINES = parse(KernelSources.source("launch.h"));

  /** Threads per block of the grid-stride and tiled kernels. */
  static final int BLOCK_THREADS = get("BLOCK_THREADS");
  /** gemm_tiled: edge of a block's C tile. */
  static final int GEMM_TILED_TILE = get("GT_T");
  /** gemm_rb128_f32 and gemm_tf32_f32: edge of a block's C tile. */
  static final int GEMM_RB_TILE = get("RB_T");
  /** attention: head-dimension chunk of a block. */
  static final int ATTENTION_D_CHUNK = get("AT_DC");
  /** attention_bwd_delta: rows of a block. */
  static final int ATTENTION_DELTA_ROWS = get("AT_DELTA_ROWS");
  /** reduce_cols, layernorm_bwd_params_partial: columns of a block. */
  static final int COL_TILE = get("COL_TILE");
  /** vq_nearest: rows of x of a block. */
  static final int VQ_ROWS = get("VQ_BN");
  private static final int ATTENTION_ROWS_F32 = get("AT_BQ_F32");
  private static final int ATTENTION_ROWS_F64 = get("AT_BQ_F64");

  private LaunchGeometry() {}

  /** attention: query (forward, dq) or key (dk, dv) rows of a block in the program of dtype dt. */
  static int attentionRows(DType dt) {
    return dt == DType.F64 ? ATTENTION_ROWS_F64 : ATTENTION_ROWS_F32;
  }

  /** Tiles of edge tile that cover n items. */
  static long tiles(long n, int tile) {
    return (n + tile - 1) / tile;
  }

  static Map<String, Integer> parse(String header) {
    Map<String, Integer> m = new HashMap<>();
    Matcher d = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(\\d+)\\b").matcher(header);
    while (d.find()) m.put(d.group(1), Integer.parseInt(d.group(2)));
    return m;
  }

  private static int get(String name) {
    Integer v = DEFINES.get(name);
    if (v == null) throw new IllegalStateException("launch.h in the kernels jar defines no " + name);
    return v;
  }
}

package org.cartengine.engine.backend.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.cartengine.engine.DType;

/**
 * The kernels module's resources: the shared sources {@code /kernels/src/launch.h}, {@code /kernels/src/common.h}
 * and {@code /kernels/src/FAMILY.cu} (OpenCL builds them at run time) and the PTX nvcc made of them at build time,
 * {@code /kernels/cuda/FAMILY_{f32,f64}.sm{75,80}.ptx}, or a {@code NO_PTX} marker saying why there is none.
 */
public final class KernelSources {
  private KernelSources() {}

  private static byte[] resource(String path) {
    try (InputStream in = KernelSources.class.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + path + ": " + e.getMessage(), e);
    }
  }

  /** A source file of kernels/src/main/kernels, as text. */
  static String source(String file) {
    byte[] text = resource("/kernels/src/" + file);
    if (text == null) throw new IllegalStateException("kernel source " + file + " is not on the class path (kernels jar missing?)");
    return new String(text, StandardCharsets.UTF_8);
  }

  /**
   * The OpenCL program text of a family: launch.h, common.h, then the family's file, with their includes
   * removed; {@code #line} directives keep compiler messages pointing at the right file and line.
   */
  public static String openClSource(String family) {
    String launch = source("launch.h");
    String common = source("common.h").replace("#include \"launch.h\"", "");
    String text = source(family + ".cu").replace("#include \"common.h\"", "");
    return "#line 1 \"launch.h\"\n" + launch + "\n#line 1 \"common.h\"\n" + common + "\n#line 1 \"" + family + ".cu\"\n" + text;
  }

  /** Throws with the reason when the build packaged no PTX (no nvcc, or no kernels jar). */
  public static void requirePtx() {
    byte[] marker = resource("/kernels/cuda/NO_PTX");
    if (marker != null) throw new IllegalStateException("PTX not packaged: " + new String(marker, StandardCharsets.UTF_8).trim());
    if (resource("/kernels/cuda/elementwise_f32.sm75.ptx") == null) throw new IllegalStateException("PTX not packaged: no /kernels/cuda/*.ptx on the class path");
  }

  /**
   * PTX of a family for a device of compute capability {@code cc} (e.g. 90): the newest build not newer than
   * the device (sm_80 where one exists and cc >= 80, else sm_75), NUL-terminated for cuModuleLoadData.
   */
  public static byte[] ptx(String family, DType program, int cc) {
    String base = "/kernels/cuda/" + family + (program == DType.F64 ? "_f64" : "_f32");
    byte[] text = cc >= 80 ? resource(base + ".sm80.ptx") : null;
    if (text == null) text = resource(base + ".sm75.ptx");
    if (text == null) throw new IllegalStateException("PTX not packaged: " + base + ".sm75.ptx missing");
    byte[] z = java.util.Arrays.copyOf(text, text.length + 1);
    return z;
  }
}

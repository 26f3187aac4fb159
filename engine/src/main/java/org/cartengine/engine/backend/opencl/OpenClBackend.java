package org.cartengine.engine.backend.opencl;

import static org.jocl.CL.*;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.device.DeviceBackend;
import org.cartengine.engine.backend.device.KernelSources;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * The OpenCL device through JOCL: one context and in-order queue on the first GPU of any platform (else the
 * first device, e.g. PoCL's CPU device), programs built once per kernel family and element type from the
 * shared sources of kernels/, buffers as cl_mem. Every op is a kernel from {@link DeviceBackend}.
 * {@code -Dcart.opencl.device=N} picks the N-th device over all platforms instead.
 */
public final class OpenClBackend extends DeviceBackend {
  private static final Cleaner CLEANER = Cleaner.create();

  private final cl_device_id device;
  private final cl_context context;
  private final cl_command_queue queue;
  private final String description;
  private final boolean isGpu;
  private final boolean hasF64;
  private final int computeUnits;
  private final Map<String, cl_program> programs = new HashMap<>();
  private final Map<String, cl_kernel> kernels = new HashMap<>();

  public OpenClBackend() {
    CL.setExceptionsEnabled(true);
    int[] count = new int[1];
    try {
      clGetPlatformIDs(0, null, count);
    } catch (CLException e) {
      throw new IllegalStateException("no OpenCL platform (" + e.getMessage() + ")", e);
    }
    if (count[0] == 0) throw new IllegalStateException("no OpenCL platform installed");
    cl_platform_id[] platforms = new cl_platform_id[count[0]];
    clGetPlatformIDs(platforms.length, platforms, null);
    java.util.List<cl_device_id> all = new java.util.ArrayList<>();
    java.util.List<cl_platform_id> owner = new java.util.ArrayList<>();
    for (cl_platform_id p : platforms) {
      int[] n = new int[1];
      try {
        clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
      } catch (CLException e) {
        continue;  // a platform without devices
      }
      cl_device_id[] ds = new cl_device_id[n[0]];
      clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ds.length, ds, null);
      for (cl_device_id d : ds) {
        all.add(d);
        owner.add(p);
      }
    }
    if (all.isEmpty()) throw new IllegalStateException("no OpenCL device on " + platforms.length + " platform(s)");
    int pick = -1;
    String forced = System.getProperty("cart.opencl.device");
    if (forced != null) {
      pick = Integer.parseInt(forced.trim());
      if (pick < 0 || pick >= all.size()) throw new IllegalStateException("cart.opencl.device=" + pick + " but there are " + all.size() + " devices");
    } else {
      for (int i = 0; i < all.size() && pick < 0; i++) if ((deviceLong(all.get(i), CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0) pick = i;
      if (pick < 0) pick = 0;
    }
    device = all.get(pick);
    isGpu = (deviceLong(device, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
    long maxGroup = deviceLong(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
    if (maxGroup < 256) throw new IllegalStateException("OpenCL device " + deviceString(device, CL_DEVICE_NAME) + " allows only " + maxGroup + " work-items per group; the kernels need 256");
    String extensions = deviceString(device, CL_DEVICE_EXTENSIONS);
    hasF64 = extensions.contains("cl_khr_fp64");
    computeUnits = (int) deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS);
    String name = deviceString(device, CL_DEVICE_NAME).trim();
    // The provider prefers SIMD over a CPU OpenCL device by looking for "GPU" in this text: only a GPU says it.
    if (!isGpu) name = name.replace("GPU", "gpu");
    description = "OpenCL " + (isGpu ? "GPU" : "CPU") + ": " + name + " (" + platformString(owner.get(pick), CL_PLATFORM_NAME).trim() + ", "
        + deviceString(device, CL_DEVICE_VERSION).trim() + ", " + computeUnits + " compute units" + (hasF64 ? "" : ", no fp64") + ")";
    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL_CONTEXT_PLATFORM, owner.get(pick));
    context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
    queue = clCreateCommandQueue(context, device, 0, null);
    // On a GPU (which the provider would pick), fail now rather than mid-training if the kernels do not build;
    // a CPU device is only probed and set aside by the provider, so it stays cheap to create.
    if (isGpu) program("elementwise", DType.F32);
  }

  private static long deviceLong(cl_device_id d, int param) {
    long[] v = new long[1];
    clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
    return v[0];
  }

  private static long deviceInt(cl_device_id d, int param) {
    int[] v = new int[1];
    clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
    return v[0] & 0xffffffffL;
  }

  private static String deviceString(cl_device_id d, int param) {
    long[] size = new long[1];
    clGetDeviceInfo(d, param, 0, null, size);
    byte[] b = new byte[(int) size[0]];
    clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
    return new String(b, 0, Math.max(0, b.length - 1), StandardCharsets.UTF_8);
  }

  private static String platformString(cl_platform_id p, int param) {
    long[] size = new long[1];
    clGetPlatformInfo(p, param, 0, null, size);
    byte[] b = new byte[(int) size[0]];
    clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
    return new String(b, 0, Math.max(0, b.length - 1), StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return "opencl";
  }

  @Override
  public String device() {
    return description;
  }

  @Override
  public boolean supports(DType dtype) {
    return dtype != DType.F64 || hasF64;
  }

  @Override
  protected boolean deviceHasF64() {
    return hasF64;
  }

  @Override
  protected int maxBlocks() {
    return isGpu ? 16 * computeUnits * 8 : 4 * computeUnits;
  }

  // ---------------------------------------------------------------- programs

  /** The family's program for one element type, built on first use; a failed build throws with the compiler's log. */
  private synchronized cl_program program(String family, DType dt) {
    String key = family + (dt == DType.F64 ? "_f64" : "_f32");
    cl_program p = programs.get(key);
    if (p != null) return p;
    String src = KernelSources.openClSource(family);
    p = clCreateProgramWithSource(context, 1, new String[] {src}, null, null);
    String options = dt == DType.F64 ? "-DREAL_F64" : "";
    try {
      clBuildProgram(p, 1, new cl_device_id[] {device}, options, null, null);
    } catch (CLException e) {
      String log = buildLog(p);
      System.err.println("OpenCL build of kernels/" + family + ".cu (" + key + ") failed:\n" + log);
      throw new IllegalStateException("OpenCL build of kernels/" + family + ".cu for " + dt + " failed (" + e.getMessage() + "):\n" + log, e);
    }
    programs.put(key, p);
    return p;
  }

  private String buildLog(cl_program p) {
    long[] size = new long[1];
    clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
    byte[] b = new byte[(int) size[0]];
    clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
    return new String(b, StandardCharsets.UTF_8).trim();
  }

  private cl_kernel kernel(String family, String name, DType program) {
    String key = name + "@" + program;
    cl_kernel kn = kernels.get(key);
    if (kn == null) {
      kn = clCreateKernel(program(family, program), name, null);
      kernels.put(key, kn);
    }
    return kn;
  }

  // ---------------------------------------------------------------- memory

  static final class ClBuffer extends Buffer {
    final cl_mem mem;
    private final Cleaner.Cleanable cleanable;

    ClBuffer(OpenClBackend backend, DType dtype, int n, cl_mem mem) {
      super(backend, dtype, n);
      this.mem = mem;
      // The state must not reference this buffer, or it would never become unreachable.
      this.cleanable = CLEANER.register(this, () -> clReleaseMemObject(mem));
    }

    @Override
    protected void release() {
      cleanable.clean();
    }
  }

  private static cl_mem mem(Buffer b) {
    return ((ClBuffer) b).mem;
  }

  @Override
  protected Buffer newBuffer(DType dtype, int n) {
    long bytes = (long) Math.max(n, 1) * dtype.bytes;
    cl_mem m;
    try {
      m = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
    } catch (CLException e) {
      // Tensors that were not closed give their buffers back when collected: try once more after a GC.
      System.gc();
      sleep(100);
      m = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
    }
    clEnqueueFillBuffer(queue, m, Pointer.to(new int[] {0}), Sizeof.cl_int, 0, bytes, 0, null, null);
    return new ClBuffer(this, dtype, n, m);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, (long) dstOff * 4, (long) n * 4, Pointer.to(src).withByteOffset((long) srcOff * 4), 0, null, null);
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, double[] src, int srcOff, int n) {
    clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, (long) dstOff * 8, (long) n * 8, Pointer.to(src).withByteOffset((long) srcOff * 8), 0, null, null);
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, (long) dstOff * 4, (long) n * 4, Pointer.to(src).withByteOffset((long) srcOff * 4), 0, null, null);
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    clEnqueueReadBuffer(queue, mem(src), CL_TRUE, (long) srcOff * 4, (long) n * 4, Pointer.to(dst).withByteOffset((long) dstOff * 4), 0, null, null);
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, double[] dst, int dstOff, int n) {
    clEnqueueReadBuffer(queue, mem(src), CL_TRUE, (long) srcOff * 8, (long) n * 8, Pointer.to(dst).withByteOffset((long) dstOff * 8), 0, null, null);
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    clEnqueueReadBuffer(queue, mem(src), CL_TRUE, (long) srcOff * 4, (long) n * 4, Pointer.to(dst).withByteOffset((long) dstOff * 4), 0, null, null);
  }

  // ---------------------------------------------------------------- launch

  @Override
  protected synchronized void launch(String family, String name, DType program, int blocks, int threads, Object... args) {
    cl_kernel kn = kernel(family, name, program);
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) clSetKernelArg(kn, i, Sizeof.cl_mem, null);
      else if (a instanceof Buffer) clSetKernelArg(kn, i, Sizeof.cl_mem, Pointer.to(mem(own((Buffer) a, name))));
      else if (a instanceof Integer) clSetKernelArg(kn, i, Sizeof.cl_int, Pointer.to(new int[] {(Integer) a}));
      else if (a instanceof Double) {
        double v = (Double) a;
        if (program == DType.F64) clSetKernelArg(kn, i, Sizeof.cl_double, Pointer.to(new double[] {v}));
        else clSetKernelArg(kn, i, Sizeof.cl_float, Pointer.to(new float[] {(float) v}));
      } else if (a instanceof int[]) {
        int[] st = (int[]) a;
        clSetKernelArg(kn, i, (long) st.length * Sizeof.cl_int, Pointer.to(st));
      } else {
        throw new IllegalArgumentException(name + ": unsupported kernel argument " + a.getClass());
      }
    }
    try {
      clEnqueueNDRangeKernel(queue, kn, 1, null, new long[] {(long) blocks * threads}, new long[] {threads}, 0, null, null);
    } catch (CLException e) {
      throw new IllegalStateException("OpenCL " + name + " <<<" + blocks + " blocks x " + threads + " threads>>> failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void synchronize() {
    clFinish(queue);
  }

  private boolean closed;

  /** Releases the kernels, programs, queue and context; buffers still alive keep the context until they go. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    clFinish(queue);
    for (cl_kernel k : kernels.values()) clReleaseKernel(k);
    for (cl_program p : programs.values()) clReleaseProgram(p);
    kernels.clear();
    programs.clear();
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
  }
}

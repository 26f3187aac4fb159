package org.cartengine.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.device.DeviceBackend;
import org.cartengine.engine.backend.device.KernelSources;

/**
 * The CUDA device through JCuda's driver API only (no runtime API, no cuBLAS): the device's primary context,
 * one non-blocking stream on which every kernel and copy is queued in order, the PTX of kernels/ loaded once
 * per family (the sm_80 build on compute capability 8.0+, else sm_75; the driver JIT-compiles it for the card),
 * and a {@link CudaAllocator}. Launches are asynchronous; only {@code read*}, {@code write*} and
 * {@code sumSquares} wait for the stream. Every driver call is checked (JCuda exceptions on) and launch
 * failures name the kernel and its grid. Kernel faults surface at the next synchronising call;
 * {@code -Dcart.cuda.sync=true} synchronises after every launch to name the faulting kernel.
 * {@code -Dcart.cuda.device=N} picks the N-th GPU.
 */
public final class CudaBackend extends DeviceBackend {
  private static final Cleaner CLEANER = Cleaner.create();
  /** The backend whose context is current on each thread (the driver's current context is per thread). */
  private static final ThreadLocal<CudaBackend> CURRENT = new ThreadLocal<>();
  /** Host copies go through a pinned buffer of at most this size, chunk by chunk. */
  private static final long STAGING_MAX = 64L << 20;

  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final CUstream stream = new CUstream();
  private final CudaAllocator allocator;
  private final int computeCapability;
  private final int smCount;
  private final String description;
  private final boolean syncEachLaunch = Boolean.getBoolean("cart.cuda.sync");
  private final Map<String, CUmodule> modules = new HashMap<>();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private Pointer staging;
  private long stagingBytes;
  private String lastLaunch = "(none)";
  private CUevent eventStart;
  private CUevent eventStop;
  private boolean closed;

  public CudaBackend() {
    KernelSources.requirePtx();
    try {
      JCudaDriver.setExceptionsEnabled(true);
      cuInit(0);
    } catch (UnsatisfiedLinkError e) {
      throw new IllegalStateException("no CUDA driver: " + briefLinkError(e), e);
    } catch (CudaException e) {
      throw new IllegalStateException("CUDA driver present but cuInit failed: " + e.getMessage(), e);
    }
    int[] count = new int[1];
    cuDeviceGetCount(count);
    if (count[0] == 0) throw new IllegalStateException("no CUDA device");
    int ordinal = Integer.getInteger("cart.cuda.device", 0);
    if (ordinal < 0 || ordinal >= count[0]) throw new IllegalStateException("cart.cuda.device=" + ordinal + " but there are " + count[0] + " CUDA devices");
    cuDeviceGet(device, ordinal);
    int major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    int minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    computeCapability = major * 10 + minor;
    smCount = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    byte[] name = new byte[256];
    cuDeviceGetName(name, name.length, device);
    long[] mem = new long[1];
    cuDeviceTotalMem(mem, device);
    int[] driver = new int[1];
    cuDriverGetVersion(driver);
    String deviceName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
    description = String.format("CUDA GPU: %s (sm_%d, %d SMs, %.0f GiB, driver %d.%d)", deviceName, computeCapability, smCount,
        mem[0] / 1073741824.0, driver[0] / 1000, driver[0] % 1000 / 10);
    if (computeCapability < 75) throw new IllegalStateException(description + ": the kernels need compute capability 7.5 or newer");
    cuDevicePrimaryCtxRetain(context, device);
    makeCurrent();
    cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
    allocator = new CudaAllocator(() -> cuStreamSynchronize(stream));
    // Fail now, not in the middle of training, if the PTX does not load on this card.
    function("elementwise", "fill_f32", DType.F32);
  }

  /** JCuda's link errors run to many lines; the one naming the missing library is what a user needs. */
  private static String briefLinkError(UnsatisfiedLinkError e) {
    String msg = String.valueOf(e.getMessage());
    for (String line : msg.split("\n")) {
      int i = line.indexOf("cannot open shared object");
      if (i >= 0) {
        int start = line.lastIndexOf(": ", Math.max(0, i - 3));  // "...JCudaDriver.so: libcuda.so.1: cannot open ..."
        return line.substring(start + 2);
      }
    }
    return msg.lines().findFirst().orElse(msg);
  }

  private int attribute(int attr) {
    int[] v = new int[1];
    cuDeviceGetAttribute(v, attr, device);
    return v[0];
  }

  /** Makes this backend's context current on whichever thread calls in. */
  private void makeCurrent() {
    if (CURRENT.get() != this) {
      cuCtxSetCurrent(context);
      CURRENT.set(this);
    }
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("the CUDA backend was closed");
    makeCurrent();
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public String device() {
    return description;
  }

  @Override
  public boolean supports(DType dtype) {
    return true;
  }

  @Override
  protected boolean deviceHasF64() {
    return true;
  }

  @Override
  protected int maxBlocks() {
    return 16 * smCount;
  }

  @Override
  protected boolean hasTf32Gemm() {
    return computeCapability >= 80;
  }

  public int computeCapability() {
    return computeCapability;
  }

  /** Driver allocations so far: flat after the first training step when the cache serves every request. */
  public long driverAllocations() {
    return allocator.driverAllocations();
  }

  public String memoryStats() {
    return allocator.stats();
  }

  // ---------------------------------------------------------------- modules

  private synchronized CUfunction function(String family, String name, DType program) {
    String key = name + "@" + program;
    CUfunction f = functions.get(key);
    if (f != null) return f;
    String moduleKey = family + "@" + program;
    CUmodule m = modules.get(moduleKey);
    if (m == null) {
      m = new CUmodule();
      byte[] ptx = KernelSources.ptx(family, program, computeCapability);
      try {
        cuModuleLoadData(m, ptx);
      } catch (CudaException e) {
        throw new IllegalStateException("CUDA: loading the PTX of kernels/" + family + ".cu (" + program + ") on sm_" + computeCapability + " failed: " + e.getMessage(), e);
      }
      modules.put(moduleKey, m);
    }
    f = new CUfunction();
    try {
      cuModuleGetFunction(f, m, name);
    } catch (CudaException e) {
      throw new IllegalStateException("CUDA: kernel " + name + " not found in kernels/" + family + ".cu's PTX (" + program + ", sm_" + computeCapability + "): " + e.getMessage(), e);
    }
    functions.put(key, f);
    return f;
  }

  // ---------------------------------------------------------------- memory

  static final class CudaBuffer extends Buffer {
    final CUdeviceptr ptr;
    private final Cleaner.Cleanable cleanable;

    CudaBuffer(CudaBackend backend, DType dtype, int n, CUdeviceptr ptr, long sizeClass) {
      super(backend, dtype, n);
      this.ptr = ptr;
      // The cleaning action must not reference this buffer, or it would never become unreachable.
      CudaAllocator allocator = backend.allocator;
      this.cleanable = CLEANER.register(this, () -> allocator.give(ptr, sizeClass));
    }

    @Override
    protected void release() {
      cleanable.clean();
    }
  }

  private static CUdeviceptr ptr(Buffer b) {
    return ((CudaBuffer) b).ptr;
  }

  @Override
  protected synchronized Buffer newBuffer(DType dtype, int n) {
    checkOpen();
    long bytes = (long) Math.max(n, 1) * dtype.bytes;
    long cls = CudaAllocator.sizeClass(bytes);
    CUdeviceptr p = allocator.take(cls);
    cuMemsetD32Async(p, 0, (bytes + 3) / 4, stream);
    return new CudaBuffer(this, dtype, n, p, cls);
  }

  /** The pinned staging buffer, at least {@code bytes} long, as a native-order ByteBuffer. */
  private ByteBuffer staging(long bytes) {
    if (staging == null || stagingBytes < bytes) {
      if (staging != null) cuMemFreeHost(staging);
      stagingBytes = Math.max(bytes, 1L << 20);
      staging = new Pointer();
      cuMemAllocHost(staging, stagingBytes);
    }
    return staging.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
  }

  /** Copies n elements of size {@code elem} from host to device through the pinned buffer, in stream order. */
  private interface HostPut {
    void put(ByteBuffer dst, int from, int count);
  }

  private interface HostGet {
    void get(ByteBuffer src, int from, int count);
  }

  private synchronized void toDevice(Buffer dst, int dstOff, int n, int elem, HostPut put) {
    checkOpen();
    int perChunk = (int) (STAGING_MAX / elem);
    for (int done = 0; done < n; done += perChunk) {
      int count = Math.min(perChunk, n - done);
      ByteBuffer bb = staging((long) count * elem);
      put.put(bb, done, count);
      cuMemcpyHtoDAsync(ptr(dst).withByteOffset((long) (dstOff + done) * elem), staging, (long) count * elem, stream);
      sync("write");  // the staging buffer is reused by the next chunk or call
    }
  }

  private synchronized void toHost(Buffer src, int srcOff, int n, int elem, HostGet get) {
    checkOpen();
    int perChunk = (int) (STAGING_MAX / elem);
    for (int done = 0; done < n; done += perChunk) {
      int count = Math.min(perChunk, n - done);
      ByteBuffer bb = staging((long) count * elem);
      cuMemcpyDtoHAsync(staging, ptr(src).withByteOffset((long) (srcOff + done) * elem), (long) count * elem, stream);
      sync("read");
      get.get(bb, done, count);
    }
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    toDevice(dst, dstOff, n, 4, (bb, from, count) -> bb.asFloatBuffer().put(src, srcOff + from, count));
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, double[] src, int srcOff, int n) {
    toDevice(dst, dstOff, n, 8, (bb, from, count) -> bb.asDoubleBuffer().put(src, srcOff + from, count));
  }

  @Override
  protected void writeRaw(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    toDevice(dst, dstOff, n, 4, (bb, from, count) -> bb.asIntBuffer().put(src, srcOff + from, count));
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    toHost(src, srcOff, n, 4, (bb, from, count) -> bb.asFloatBuffer().get(dst, dstOff + from, count));
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, double[] dst, int dstOff, int n) {
    toHost(src, srcOff, n, 8, (bb, from, count) -> bb.asDoubleBuffer().get(dst, dstOff + from, count));
  }

  @Override
  protected void readRaw(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    toHost(src, srcOff, n, 4, (bb, from, count) -> bb.asIntBuffer().get(dst, dstOff + from, count));
  }

  // ---------------------------------------------------------------- launch

  @Override
  protected synchronized void launch(String family, String name, DType program, int blocks, int threads, Object... args) {
    checkOpen();
    CUfunction f = function(family, name, program);
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) params[i] = Pointer.to(new CUdeviceptr());  // a null device pointer
      else if (a instanceof Buffer) params[i] = Pointer.to(ptr(own((Buffer) a, name)));
      else if (a instanceof Integer) params[i] = Pointer.to(new int[] {(Integer) a});
      else if (a instanceof Double) params[i] = program == DType.F64 ? Pointer.to(new double[] {(Double) a}) : Pointer.to(new float[] {(float) (double) (Double) a});
      else if (a instanceof int[]) params[i] = Pointer.to((int[]) a);  // a struct of ints, by value
      else throw new IllegalArgumentException(name + ": unsupported kernel argument " + a.getClass());
    }
    lastLaunch = name + " <<<" + blocks + ", " + threads + ">>>";
    try {
      cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, stream, Pointer.to(params), null);
    } catch (CudaException e) {
      throw new IllegalStateException("CUDA launch of " + lastLaunch + " (kernels/" + family + ".cu, " + program + ") failed: " + e.getMessage(), e);
    }
    if (syncEachLaunch) sync("after " + lastLaunch);
  }

  /** Waits for the stream; a fault of an earlier asynchronous kernel is reported here. */
  private void sync(String where) {
    try {
      cuStreamSynchronize(stream);
    } catch (CudaException e) {
      throw new IllegalStateException("CUDA error at " + where + ": " + e.getMessage() + " (raised by work queued earlier; the last launch was "
          + lastLaunch + (syncEachLaunch ? ")" : "; rerun with -Dcart.cuda.sync=true to name the kernel)"), e);
    }
  }

  @Override
  public synchronized void synchronize() {
    checkOpen();
    sync("synchronize");
  }

  /** dst[0..n) = src[0..n) with the driver's device-to-device copy (the bandwidth yardstick of the benchmarks). */
  public synchronized void deviceCopy(Buffer src, Buffer dst, int n) {
    checkOpen();
    own(src, "deviceCopy");
    own(dst, "deviceCopy");
    cuMemcpyDtoDAsync(ptr(dst), ptr(src), (long) n * src.dtype().bytes, stream);
  }

  /**
   * Milliseconds of device time that {@code work} (backend calls) takes, measured with CUDA events on this
   * backend's stream; waits for the work.
   */
  public synchronized double timeMs(Runnable work) {
    checkOpen();
    if (eventStart == null) {
      eventStart = new CUevent();
      eventStop = new CUevent();
      cuEventCreate(eventStart, CUevent_flags.CU_EVENT_DEFAULT);
      cuEventCreate(eventStop, CUevent_flags.CU_EVENT_DEFAULT);
    }
    cuEventRecord(eventStart, stream);
    work.run();
    cuEventRecord(eventStop, stream);
    try {
      cuEventSynchronize(eventStop);
    } catch (CudaException e) {
      throw new IllegalStateException("CUDA error while timing (last launch " + lastLaunch + "): " + e.getMessage(), e);
    }
    float[] ms = new float[1];
    cuEventElapsedTime(ms, eventStart, eventStop);
    return ms[0];
  }

  /** Waits for queued work, frees the cache and the context's resources; buffers still alive become invalid. */
  @Override
  public synchronized void close() {
    if (closed) return;
    makeCurrent();
    cuStreamSynchronize(stream);
    allocator.releaseCache();
    allocator.close();
    for (CUmodule m : modules.values()) cuModuleUnload(m);
    modules.clear();
    functions.clear();
    if (staging != null) cuMemFreeHost(staging);
    if (eventStart != null) {
      cuEventDestroy(eventStart);
      cuEventDestroy(eventStop);
    }
    cuStreamDestroy(stream);
    cuDevicePrimaryCtxRelease(device);
    CURRENT.remove();
    closed = true;
  }
}

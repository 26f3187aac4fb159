package org.cartengine.cart.cli;

import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import picocli.CommandLine.Option;

/** --device: which engine backend runs the job. */
public final class DeviceOption {
  @Option(names = "--device", description = "Backend: auto (fastest available: cuda > opencl(GPU) > simd > reference), cuda, opencl, simd, reference (default: ${DEFAULT-VALUE}).")
  public String device = "auto";

  public Backend backend() {
    if (!device.equals("auto")) Backends.set(Backends.create(device));
    Backend be = Backends.get();
    System.err.println("backend: " + be.name() + " (" + be.device() + ")");
    return be;
  }
}

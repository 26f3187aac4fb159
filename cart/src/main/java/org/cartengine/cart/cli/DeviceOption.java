package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import picocli.CommandLine.Option;

/** --device: which engine backend runs the job. */
public final class DeviceOption {
  @Option(names = "--device", description = "Backend: auto (fastest available: cuda > opencl(GPU) > simd > reference), cuda, opencl, simd, reference (default: ${DEFAULT-VALUE}).")
  public String device = "auto";

  public Backend backend() {
    if (!device.equals("auto")) {
      if (!Backends.names().contains(device)) throw new UserError("--device: unknown backend '" + device + "' (known: auto, " + String.join(", ", Backends.names()) + ")");
      try {
        Backends.set(Backends.create(device));
      } catch (IllegalStateException unavailable) {
        // the machine lacks what the option asks for (no CUDA driver, no OpenCL device): the user's choice, not a bug
        throw new UserError("--device " + device + ": not available on this machine (" + unavailable.getMessage() + ")", unavailable);
      }
    }
    Backend be = Backends.get();
    System.err.println("backend: " + be.name() + " (" + be.device() + ")");
    return be;
  }
}

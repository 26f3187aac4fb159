package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.parity.BackendCheck;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The one parity suite ({@link BackendCheck}) on every backend name: reference, simd, simd-scalar, opencl, cuda;
 * each in F32 and, where the backend supports it, F64. A backend that cannot be opened on this machine (no GPU,
 * no OpenCL platform, no Vector API module) is reported as skipped, with its reason. bench/gpu-check.sh runs the
 * same list on a GPU machine. {@code -Dparity.backends=opencl,cuda} runs only the named ones.
 */
class BackendParityTest {

  @TestFactory
  Stream<DynamicNode> everyBackendMatchesTheReference() {
    String only = System.getProperty("parity.backends", "");
    List<String> names = BackendCheck.backendNames();
    if (!only.isBlank()) names.retainAll(List.of(only.split(",")));
    return names.stream().map(BackendParityTest::suite);
  }

  private static DynamicNode suite(String name) {
    List<DynamicNode> nodes = new ArrayList<>();
    Backend be;
    try {
      be = BackendCheck.open(name);
      System.out.println("[parity] " + name + ": " + be.device());
    } catch (RuntimeException | LinkageError e) {
      String reason = name + " skipped: " + e.getClass().getSimpleName() + ": " + e.getMessage();
      System.out.println("[parity] " + reason);
      return DynamicTest.dynamicTest(name, () -> Assumptions.abort(reason));
    }
    for (DType dt : new DType[] {DType.F32, DType.F64}) {
      if (!be.supports(dt)) {
        nodes.add(DynamicTest.dynamicTest(dt.toString(), () -> Assumptions.abort(name + " skipped in " + dt + ": " + be.device() + " does not support it")));
        continue;
      }
      for (BackendCheck.Check c : new BackendCheck(be, dt, name.hashCode()).checks())
        nodes.add(DynamicTest.dynamicTest(dt + " " + c.name(), c.body()::run));
    }
    nodes.add(DynamicTest.dynamicTest("close", be::close));
    return DynamicContainer.dynamicContainer(name, nodes);
  }
}

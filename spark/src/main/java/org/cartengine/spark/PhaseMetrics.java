package org.cartengine.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Executor time of each phase of a job, from Spark's task metrics: tasks, CPU seconds and run seconds
 * summed over tasks, and the peak JVM heap an executor reported. Phases are Spark job groups. CPU
 * seconds count the task threads only, not the engine's GEMM worker threads, so the process CPU time
 * (bench/spark-index.sh) is what a cluster's throughput is extrapolated from (bench/README.md).
 */
final class PhaseMetrics extends SparkListener {
  /** One phase's totals. */
  record Phase(long tasks, double cpuSeconds, double runSeconds) {}

  private final Map<Integer, String> stageGroup = new ConcurrentHashMap<>();
  private final Map<String, long[]> sums = new ConcurrentHashMap<>(); // tasks, cpu ns, run ms
  private volatile long peakHeap;
  private final java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SparkSession spark;

  private PhaseMetrics(SparkSession spark) {
    this.spark = spark;
  }

  static PhaseMetrics attach(SparkSession spark) {
    PhaseMetrics m = new PhaseMetrics(spark);
    spark.sparkContext().addSparkListener(m);
    return m;
  }

  /** Jobs started from this thread from now on count towards the named phase. */
  void phase(String name) {
    if (!order.contains(name)) order.add(name);
    spark.sparkContext().setJobGroup(name, name, false);
  }

  /** Waits for the listener events of finished jobs, detaches, and returns the phases in the order seen. */
  Map<String, Phase> finish() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      // the totals may miss the last tasks' events; they are reported as they are
    }
    spark.sparkContext().removeSparkListener(this);
    spark.sparkContext().clearJobGroup();
    Map<String, Phase> out = new LinkedHashMap<>();
    java.util.List<String> names = new java.util.ArrayList<>(order);
    for (String k : sums.keySet()) if (!names.contains(k)) names.add(k);
    for (String k : names) {
      long[] v = sums.get(k);
      if (v != null) out.put(k, new Phase(v[0], v[1] / 1e9, v[2] / 1e3));
    }
    return out;
  }

  long peakHeapBytes() {
    return peakHeap;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    String g = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
    stageGroup.put(e.stageInfo().stageId(), g == null ? "other" : g);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    if (e.taskMetrics() == null) return;
    long[] s = sums.computeIfAbsent(stageGroup.getOrDefault(e.stageId(), "other"), k -> new long[3]);
    synchronized (s) {
      s[0]++;
      s[1] += e.taskMetrics().executorCpuTime();
      s[2] += e.taskMetrics().executorRunTime();
    }
    if (e.taskExecutorMetrics() != null) peakHeap = Math.max(peakHeap, e.taskExecutorMetrics().getMetricValue("JVMHeapMemory"));
  }

  static String describe(Map<String, Phase> phases, long peakHeap) {
    StringBuilder sb = new StringBuilder();
    phases.forEach((k, p) -> sb.append(sb.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %d tasks, task-thread CPU %.1f s, run %.1f s", k, p.tasks(), p.cpuSeconds(), p.runSeconds())));
    sb.append(String.format(Locale.ROOT, "; peak executor JVM heap %,d MB", peakHeap >> 20));
    return sb.toString();
  }
}

package org.cartengine.spark;

import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: spark-submit's master, else --master, else all local cores. */
final class Sessions {
  private Sessions() {}

  static SparkSession start(String app, String master) {
    SparkSession.Builder b = SparkSession.builder().appName(app);
    if (master != null) b.master(master);
    else if (System.getProperty("spark.master") == null) b.master("local[*]");
    return b.getOrCreate();
  }
}

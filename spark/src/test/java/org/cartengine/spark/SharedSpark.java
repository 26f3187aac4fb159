package org.cartengine.spark;

import org.apache.spark.sql.SparkSession;

/** One local[2] session for every test class of the module (Spark takes seconds to start). */
final class SharedSpark {
  private SharedSpark() {}

  private static SparkSession session;

  static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder().appName("cart spark tests").master("local[2]")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }
}

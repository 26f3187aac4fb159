package org.cartengine.cart.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG plots (JFreeChart, headless), written atomically. */
public final class Plots {
  private Plots() {}

  /** Training loss and validation R@1 per epoch, two y axes. */
  public static void trainingCurve(Path png, List<Map<String, Double>> history, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeries loss = new XYSeries("training loss"), r1 = new XYSeries("val R@1 (%)");
    for (Map<String, Double> h : history) {
      loss.add(h.get("epoch"), h.get("loss"));
      if (h.containsKey("valR1")) r1.add(h.get("epoch"), h.get("valR1"));
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "loss", new XYSeriesCollection(loss), PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeAxis(1, new NumberAxis("val R@1 (%)"));
    plot.setDataset(1, new XYSeriesCollection(r1));
    plot.mapDatasetToRangeAxis(1, 1);
    plot.getRenderer().setSeriesPaint(0, new Color(40, 90, 180));
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    r.setSeriesPaint(0, new Color(200, 80, 40));
    plot.setRenderer(1, r);
    write(png, chart, 720, 420);
  }

  /** Grouped lines: x values against one y series per name (e.g. queries/s vs corpus size). */
  public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logX) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection ds = new XYSeriesCollection();
    for (var e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey());
      for (double[] p : e.getValue()) s.add(p[0], p[1]);
      ds.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, ds, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    if (logX) plot.setDomainAxis(new org.jfree.chart.axis.LogAxis(xLabel));
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    write(png, chart, 720, 420);
  }

  private static void write(Path png, JFreeChart chart, int w, int h) throws IOException {
    org.cartengine.engine.io.AtomicFiles.write(png, (org.cartengine.engine.io.AtomicFiles.StreamBody) out -> ChartUtils.writeChartAsPNG(out, chart, w, h));
  }
}

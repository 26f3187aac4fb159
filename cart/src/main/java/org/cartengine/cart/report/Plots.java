package org.cartengine.cart.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG plots (JFreeChart, headless), written atomically. */
public final class Plots {
  private Plots() {}

  /**
   * Training loss per epoch and, where the run has a val split, val R@1 on a second y axis; a run with no val
   * split has no R@1 series and no axis for it.
   */
  public static void trainingCurve(Path png, List<Map<String, Double>> history, String title) throws IOException {
    write(png, trainingChart(history, title), 720, 420);
  }

  static JFreeChart trainingChart(List<Map<String, Double>> history, String title) {
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
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());  // whole epochs
    XYLineAndShapeRenderer lossLine = new XYLineAndShapeRenderer(true, false);
    lossLine.setSeriesPaint(0, new Color(40, 90, 180));
    plot.setRenderer(0, lossLine);
    if (r1.getItemCount() > 0) {
      plot.setRangeAxis(1, new NumberAxis("val R@1 (%)"));
      plot.setDataset(1, new XYSeriesCollection(r1));
      plot.mapDatasetToRangeAxis(1, 1);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      r.setSeriesPaint(0, new Color(200, 80, 40));
      plot.setRenderer(1, r);
    }
    return chart;
  }

  /** Grouped lines: x values against one y series per name (e.g. queries/s vs corpus size). */
  public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logX) throws IOException {
    write(png, linesChart(title, xLabel, yLabel, series, logX), 720, 420);
  }

  static JFreeChart linesChart(String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logX) {
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
    if (logX) {
      LogAxis axis = new LogAxis(xLabel);
      axis.setTickUnit(new NumberTickUnit(1));  // one labelled tick per decade
      axis.setNumberFormatOverride(new Magnitude());
      plot.setDomainAxis(axis);
    }
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    return chart;
  }

  /** Tick labels a person reads: 1K, 10K, 1M rather than 10^3.0; other values with thousands separators. */
  static final class Magnitude extends NumberFormat {
    @Override
    public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
      String[] suffix = {"", "K", "M", "G", "T"};
      int e = 0;
      double m = v;
      while (Math.abs(m) >= 1000 && e < suffix.length - 1) {
        m /= 1000;
        e++;
      }
      if (e > 0 && m == Math.rint(m)) return to.append((long) m).append(suffix[e]);
      return to.append(String.format(Locale.ROOT, v == Math.rint(v) ? "%,.0f" : "%,.3g", v));
    }

    @Override
    public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
      return format((double) v, to, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException("tick labels are only written");
    }
  }

  private static void write(Path png, JFreeChart chart, int w, int h) throws IOException {
    org.cartengine.engine.io.AtomicFiles.write(png, (org.cartengine.engine.io.AtomicFiles.StreamBody) out -> ChartUtils.writeChartAsPNG(out, chart, w, h));
  }
}

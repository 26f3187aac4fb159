package org.cartengine.cart.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots a person reads: no empty series or axis, log ticks in K and M. */
class PlotsTest {
  @TempDir Path dir;

  @Test
  void aRunWithoutValSplitHasNoR1SeriesNorAxis() throws Exception {
    List<Map<String, Double>> history = List.of(Map.of("epoch", 1.0, "loss", 3.0), Map.of("epoch", 2.0, "loss", 2.5));
    XYPlot plot = Plots.trainingChart(history, "CART on emoji").getXYPlot();
    assertNull(plot.getRangeAxis(1));
    assertNull(plot.getDataset(1));
    assertEquals(1, plot.getDataset(0).getSeriesCount());
    Path png = dir.resolve("plot.png");
    Plots.trainingCurve(png, history, "CART on emoji");
    assertTrue(Files.size(png) > 0);
  }

  @Test
  void aRunWithValSplitHasBothSeriesOnTwoAxes() {
    List<Map<String, Double>> history = List.of(Map.of("epoch", 1.0, "loss", 3.0, "valR1", 10.0), Map.of("epoch", 2.0, "loss", 2.5, "valR1", 12.0));
    JFreeChart chart = Plots.trainingChart(history, "CART on emoji");
    XYPlot plot = chart.getXYPlot();
    assertEquals("val R@1 (%)", plot.getRangeAxis(1).getLabel());
    assertEquals(2, plot.getDataset(1).getItemCount(0));
    assertEquals("CART on emoji", chart.getTitle().getText());
  }

  @Test
  void logAxisTicksReadAsThousandsAndMillions() {
    JFreeChart chart = Plots.linesChart("t", "items", "queries/s", Map.of("a", new double[][] {{1e3, 1}, {1e6, 2}}), true);
    LogAxis axis = (LogAxis) chart.getXYPlot().getDomainAxis();
    var f = axis.getNumberFormatOverride();
    assertEquals("1K", f.format(1e3));
    assertEquals("10K", f.format(1e4));
    assertEquals("100K", f.format(1e5));
    assertEquals("1M", f.format(1e6));
    assertEquals("500", f.format(500));
    assertEquals("1,500", f.format(1500));
  }
}

import dev.fulcrum.core.report.Charts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A grouped bar chart of held-out pairwise accuracy per task family, one bar per series (reward models, the oracle).
 *
 * <p>Run: {@code java -cp 'target/fulcrum.jar:target/lib/*' scripts/analysis/RewardFamilyChart.java VALUES.tsv OUT.png TITLE};
 * VALUES.tsv has a header {@code series family accuracy} and one row per bar, in the order the bars are drawn.
 */
public class RewardFamilyChart {
    public static void main(String[] args) throws Exception {
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        List<String> families = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (!families.contains(f[1])) {
                families.add(f[1]);
            }
            series.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], Double.parseDouble(f[2]));
        }
        CategoryChart chart = new CategoryChartBuilder().width(1300).height(480).title(args[2])
                .xAxisTitle("task family").yAxisTitle("held-out pairwise accuracy").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.5);
        chart.getStyler().setYAxisMax(1.0);
        series.forEach((name, values) -> chart.addSeries(name, families,
                families.stream().map(f -> values.getOrDefault(f, Double.NaN)).toList()));
        Charts.save(chart, Path.of(args[1]));
        System.out.println("wrote " + args[1]);
    }
}

// ReadLog prints, for every histogram of an interval log read with
// HdrHistogram's own HistogramLogReader, one line:
//   TAG START_MS END_MS COUNT P99 MAX
// Run with: java -cp /usr/share/java/hdrhistogram.jar ReadLog.java FILE
import java.io.File;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

public class ReadLog {
    public static void main(String[] args) throws Exception {
        HistogramLogReader r = new HistogramLogReader(new File(args[0]));
        EncodableHistogram e;
        while ((e = r.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            System.out.println(h.getTag() + " " + h.getStartTimeStamp() + " " + h.getEndTimeStamp() + " "
                + h.getTotalCount() + " " + h.getValueAtPercentile(99.0) + " " + h.getMaxValue());
        }
    }
}

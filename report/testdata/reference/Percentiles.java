// Percentiles prints, for each base64 V2-compressed histogram read from
// stdin (one per line), the values the reference HdrHistogram (Java)
// reports at the percentiles given as arguments, then the max and the mean:
// one line per histogram, values separated by spaces. It is the generator of
// golden.txt (see gen.sh); mskbench does not run it in its tests.
import java.nio.ByteBuffer;
import java.util.Base64;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.HdrHistogram.Histogram;

public class Percentiles {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty()) continue;
            ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(line));
            Histogram h = Histogram.decodeFromCompressedByteBuffer(buf, 0);
            StringBuilder sb = new StringBuilder();
            sb.append(h.getTotalCount());
            for (String a : args) {
                sb.append(' ').append(h.getValueAtPercentile(Double.parseDouble(a)));
            }
            sb.append(' ').append(h.getMaxValue());
            sb.append(' ').append(h.getMean());
            System.out.println(sb);
        }
    }
}

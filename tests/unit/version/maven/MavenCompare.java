// Reference side of maven_differential_test: reads pairs of versions, one pair per line as two
// hex-encoded byte strings separated by a space, and prints the sign of
// new ComparableVersion(a).compareTo(new ComparableVersion(b)) for each, one per line.
// Bytes are read as ISO-8859-1 (one char per byte), so any byte string can be passed.
// Run as a single-file source program:
//   java -cp /usr/share/maven/lib/maven-artifact-3.x.jar MavenCompare.java PAIRS_FILE
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
  static String decode(String hex) {
    char[] chars = new char[hex.length() / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return new String(chars);
  }

  public static void main(String[] args) throws Exception {
    try (BufferedReader in = new BufferedReader(
             new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.US_ASCII));
         BufferedWriter out = new BufferedWriter(
             new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16)) {
      String line;
      while ((line = in.readLine()) != null) {
        int space = line.indexOf(' ');
        ComparableVersion a = new ComparableVersion(decode(line.substring(0, space)));
        ComparableVersion b = new ComparableVersion(decode(line.substring(space + 1)));
        out.write(Integer.toString(Integer.signum(a.compareTo(b))));
        out.write('\n');
      }
    }
  }
}

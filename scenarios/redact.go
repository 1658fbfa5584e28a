package scenarios

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mskbench/mskbench/internal/redact"
)

// Redacted returns the scenario source safe to store with a result, by the
// one redaction rule (internal/redact): values of secret-looking keys
// (password, secret, token, jaas, ...), password=... assignments and
// passwords in URLs are replaced with REDACTED, and the --set overrides applied are appended as
// comments (redacted the same way). A valid scenario holds no secrets; this
// guards against ones written where they do not belong.
func (s *Scenario) Redacted() []byte {
	lines := strings.Split(string(s.Source), "\n")
	var root yaml.Node
	if yaml.Unmarshal(s.Source, &root) == nil {
		redactNode(&root, lines, 0)
	}
	out := redact.Text(strings.Join(lines, "\n"))
	var b bytes.Buffer
	b.WriteString(out)
	if len(s.overrides) > 0 {
		if !strings.HasSuffix(out, "\n") && out != "" {
			b.WriteByte('\n')
		}
		b.WriteString("# overrides (--set), applied in order:\n")
		for _, o := range s.overrides {
			path, value, _ := strings.Cut(o, "=")
			value = redact.Value(overrideKey(path), value)
			b.WriteString("# --set " + strings.ReplaceAll(path+"="+value, "\n", " ") + "\n")
		}
	}
	return b.Bytes()
}

// redactNode blanks, in lines, the values of secret-looking keys under n.
func redactNode(n *yaml.Node, lines []string, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; redact.SecretKey(k.Value) {
				redactValue(k, lines)
			}
		}
	}
	for _, c := range n.Content {
		redactNode(c, lines, depth+1)
	}
}

// redactValue replaces the value of the key k in lines: the rest of the key's
// line after the colon, and the following lines indented deeper than the key
// (a block value). It may redact more than the value, never less.
func redactValue(k *yaml.Node, lines []string) {
	if k.Line < 1 || k.Line > len(lines) || k.Column < 1 {
		return
	}
	line := lines[k.Line-1]
	start := min(k.Column-1, len(line))
	colon := strings.Index(line[start:], ":")
	if colon < 0 {
		return
	}
	lines[k.Line-1] = line[:start+colon+1] + " " + redact.Redacted
	for l := k.Line; l < len(lines); l++ {
		t := lines[l]
		if strings.TrimSpace(t) != "" && len(t)-len(strings.TrimLeft(t, " ")) < k.Column {
			break
		}
		if strings.TrimSpace(t) != "" {
			lines[l] = ""
		}
	}
}

// overrideKey returns the key a --set path sets, for redact.Value: the
// last element, or for a topic config (topics.configs.ssl.truststore.password)
// the config name.
func overrideKey(path string) string {
	if name, ok := strings.CutPrefix(path, "topics.configs."); ok {
		return name
	}
	return path[strings.LastIndex(path, ".")+1:]
}

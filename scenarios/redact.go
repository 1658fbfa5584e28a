package scenarios

import (
	"bytes"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// redactedValue replaces secret-looking values.
const redactedValue = "REDACTED"

// secretKey reports whether a mapping key names a value that may be a
// secret. References to secrets (…_env, …_file, …_arn) are not secrets.
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, ref := range []string{"_env", "_file", "_arn", "_id_env"} {
		if strings.HasSuffix(k, ref) {
			return false
		}
	}
	for _, w := range []string{"password", "passwd", "secret", "token", "credential", "private_key", "access_key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// urlPasswordRE matches the password of user:password@host in a URL.
var urlPasswordRE = regexp.MustCompile(`(://[^:/@\s]+:)[^@/\s]+@`)

// Redacted returns the scenario source safe to store with a result: values of
// secret-looking keys (password, secret, token, ...) and passwords in URLs
// are replaced with REDACTED, and the --set overrides applied are appended as
// comments (redacted the same way). A valid scenario holds no secrets; this
// guards against ones written where they do not belong.
func (s *Scenario) Redacted() []byte {
	lines := strings.Split(string(s.Source), "\n")
	var root yaml.Node
	if yaml.Unmarshal(s.Source, &root) == nil {
		redactNode(&root, lines, 0)
	}
	out := strings.Join(lines, "\n")
	out = urlPasswordRE.ReplaceAllString(out, "${1}"+redactedValue+"@")
	var b bytes.Buffer
	b.WriteString(out)
	if len(s.overrides) > 0 {
		if !strings.HasSuffix(out, "\n") && out != "" {
			b.WriteByte('\n')
		}
		b.WriteString("# overrides (--set), applied in order:\n")
		for _, o := range s.overrides {
			path, value, _ := strings.Cut(o, "=")
			if last := path[strings.LastIndex(path, ".")+1:]; secretKey(last) {
				value = redactedValue
			}
			value = urlPasswordRE.ReplaceAllString(value, "${1}"+redactedValue+"@")
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
			if k := n.Content[i]; secretKey(k.Value) {
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
	lines[k.Line-1] = line[:start+colon+1] + " " + redactedValue
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

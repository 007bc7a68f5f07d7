package complete_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentdesk/agentdesk/conn/complete/completetest"
)

// bigTree generates a project of about nFiles files in nested folders,
// with a root .gitignore that hides a tenth of them and a node_modules
// folder that the built-in rules skip.
func bigTree(t testing.TB, dir string, nFiles int) {
	t.Helper()
	words := []string{"conn", "manager", "server", "session", "queue", "events", "model", "view", "widget", "store"}
	exts := []string{".go", ".md", "_test.go", ".json", ".tmp"}
	perDir := 50
	for i := 0; i < nFiles; i++ {
		d := i / perDir
		rel := filepath.Join(fmt.Sprintf("pkg%02d", d%40), fmt.Sprintf("%s%d", words[(d/40)%len(words)], d/400), fmt.Sprintf("%s_%s%d%s", words[i%len(words)], words[(i/7)%len(words)], i, exts[i%len(exts)]))
		p := filepath.Join(dir, rel)
		if i%perDir == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	completetest.WriteTree(t, dir, map[string]string{
		".gitignore":              "*.tmp\n/pkg39/\n",
		"node_modules/x/index.js": "",
		"node_modules/y/index.js": "",
	})
}

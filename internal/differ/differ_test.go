package differ

import (
	"testing"

	"github.com/koshihq/genops-stack/internal/files"
)

func TestCompare(t *testing.T) {
	set := files.NewSet()
	for p, d := range map[string]string{"same": "a\n", "changed": "one\ntwo\n", "missing": "m\n"} {
		if err := set.Add(p, files.Index, []byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	tree := map[string][]byte{"same": []byte("a\n"), "changed": []byte("one\n2\n"), "extra": []byte("x\n")}
	r := Compare(set, tree)
	if r.Clean() {
		t.Fatal("report is clean")
	}
	want := `--- a/changed
+++ b/changed
@@ -1,2 +1,2 @@
 one
-2
+two
missing files (generated, not on disk):
  missing
unexpected files (on disk, no longer generated):
  extra
drift: 1 changed, 1 missing, 1 unexpected
`
	if got := r.String(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	clean := Compare(set, map[string][]byte{"same": []byte("a\n"), "changed": []byte("one\ntwo\n"), "missing": []byte("m\n")})
	if !clean.Clean() || clean.String() != "" {
		t.Errorf("identical tree reported drift: %q", clean.String())
	}
}

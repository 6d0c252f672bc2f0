package logging

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/scrape"
)

func pod(name string, annotations map[string]string) scrape.Pod {
	return scrape.Pod{
		Workload:  kube.ID{Kind: "Deployment", Namespace: "genops-system", Name: name},
		Namespace: "genops-system", Name: name + "-0", IP: "10.1.0.1",
		Labels:      map[string]string{"app": name},
		Annotations: annotations,
		Containers:  []corev1.Container{{Name: name, Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8000}}}},
	}
}

// TestPromtailReadsEachPodOnce: the seed had both jobs read audit pods, so
// their lines were stored twice; each pod must be read by one job.
func TestPromtailReadsEachPodOnce(t *testing.T) {
	cfg := PromtailConfigFor("genops-system", "monitoring")
	for _, tt := range []struct {
		pod  scrape.Pod
		want string
	}{
		{pod("genops-ai", nil), "genops-system"},
		{pod("genops-governance", map[string]string{"audit-enabled": "true"}), "genops-audit"},
	} {
		var readers []string
		for _, j := range cfg.Jobs() {
			ts, err := j.Targets([]scrape.Pod{tt.pod})
			if err != nil {
				t.Fatalf("job %s: %v", j.Name, err)
			}
			if len(ts) > 0 {
				readers = append(readers, j.Name)
			}
		}
		if strings.Join(readers, ",") != tt.want {
			t.Errorf("pod %s is read by %v, want %s", tt.pod.Name, readers, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	good := LokiSpec{Retention: 72 * time.Hour, Storage: kube.Q("10Gi")}
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"filelog", Spec{Agent: Filelog, Loki: good}, nil},
		{"no volume", Spec{Agent: Promtail, Loki: LokiSpec{Retention: good.Retention}},
			[]string{"env: loki: has no persistent volume size: logs would not survive a restart"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check("env", tt.spec).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

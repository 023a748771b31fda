package blockstorage

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestPoll(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.VolumePrefix+"/backups/b1", http.StatusOK, `{"backup": {"status": "error", "fail_reason": "no service"}}`)
	fc.Handle("GET", toolstest.VolumePrefix+"/volumes/gone", http.StatusNotFound, `{"itemNotFound": {"code": 404}}`)
	if st, err := Poll("backup", "b1")(t.Context(), fc.Env()); err != nil || st != "error: no service" {
		t.Errorf("backup poll = %q, %v", st, err)
	}
	_, err := Poll("volume", "gone")(t.Context(), fc.Env())
	var nf *tools.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "volume" {
		t.Errorf("gone volume: err = %v, want a NotFoundError", err)
	}
}

func TestWait(t *testing.T) {
	WaitInterval = 0
	fc := toolstest.New(t)
	n := 0
	fc.HandleFunc("GET", toolstest.VolumePrefix+"/volumes/v1", func(w http.ResponseWriter, _ *http.Request) {
		n++
		st := "extending"
		if n >= 3 {
			st = "available"
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"volume": {"status": %q}}`, st)
	})
	aw := Await("volume", "v1", "data", []string{"available"}, []string{"error_extending"})
	st, err := Wait(t.Context(), fc.Env(), aw, 0)
	if err == nil {
		t.Errorf("a zero timeout waited: %q", st)
	}
	st, err = Wait(t.Context(), fc.Env(), aw, 1<<40)
	if err != nil || st != "available" {
		t.Errorf("wait = %q, %v", st, err)
	}
}

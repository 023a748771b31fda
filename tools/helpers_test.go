package tools

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"struct", struct {
			Server string `json:"server"`
			Name   string `json:"name,omitempty"`
		}{Server: "web-1"}, `{"server":"web-1"}`},
		{"map is sorted", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{"slice", []string{"x", "y"}, `["x","y"]`},
		{"nil", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(JSON(tt.v)); got != tt.want {
				t.Errorf("JSON(%v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
	t.Run("panics on what cannot marshal", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("JSON(func) did not panic")
			}
		}()
		JSON(func() {})
	})
}

func TestHeaderRequestIDs(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want []string
	}{
		{"nil header", nil, nil},
		{"no ID", http.Header{"Content-Type": {"application/json"}}, nil},
		{"canonical", http.Header{"X-Openstack-Request-Id": {"req-1"}}, []string{"req-1"}},
		{"empty ID", http.Header{"X-Openstack-Request-Id": {""}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HeaderRequestIDs(tt.h); !slices.Equal(got, tt.want) {
				t.Errorf("HeaderRequestIDs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequestIDs(t *testing.T) {
	withID := func(id string) http.Header { h := http.Header{}; h.Set("x-openstack-request-id", id); return h }
	unexpected := gophercloud.ErrUnexpectedResponseCode{Actual: 409, ResponseHeader: withID("req-err")}
	tests := []struct {
		name string
		resp *http.Response
		err  error
		want []string
	}{
		{"nothing", nil, nil, nil},
		{"response", &http.Response{Header: withID("req-ok")}, nil, []string{"req-ok"}},
		{"response wins over the error", &http.Response{Header: withID("req-ok")}, unexpected, []string{"req-ok"}},
		{"response without ID", &http.Response{Header: http.Header{}}, unexpected, nil},
		{"error only", nil, unexpected, []string{"req-err"}},
		{"wrapped error", nil, fmt.Errorf("create: %w", unexpected), []string{"req-err"}},
		{"other error", nil, fmt.Errorf("dial: refused"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequestIDs(tt.resp, tt.err); !slices.Equal(got, tt.want) { //nolint:bodyclose // no body
				t.Errorf("RequestIDs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsUUID(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b", true},
		{"6B1E2F3A-4C5D-4E6F-8A9B-0C1D2E3F4A5B", true},
		{"6b1e2f3a4c5d4e6f8a9b0c1d2e3f4a5b", true},
		{"6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5", false},
		{"6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5bc", false},
		{"gb1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b", false},
		{" 6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b", false},
		{"web-1", false},
		{"42", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsUUID(tt.s); got != tt.want {
			t.Errorf("IsUUID(%q) = %t, want %t", tt.s, got, tt.want)
		}
	}
}

func TestResolvedArgs(t *testing.T) {
	type args struct {
		Server string `json:"server"`
	}
	given := args{Server: "web-1"}
	tests := []struct {
		name    string
		chk     *Check
		want    args
		wantErr bool
	}{
		{"no check", nil, given, false},
		{"nothing resolved", &Check{}, given, false},
		{"resolved", &Check{Resolved: Args(`{"server": "9e5476bd"}`)}, args{Server: "9e5476bd"}, false},
		{"unknown field", &Check{Resolved: Args(`{"server": "x", "extra": 1}`)}, args{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolvedArgs(tt.chk, given)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("resolvedArgs = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCreatedID(t *testing.T) {
	tests := []struct {
		name string
		res  *Result
		want string
	}{
		{"no result", nil, "web"},
		{"no id", &Result{Outputs: map[string]string{"name": "web"}}, "web"},
		{"id", &Result{Outputs: map[string]string{"id": "n-1"}}, "n-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CreatedID(tt.res, "web"); got != tt.want {
				t.Errorf("CreatedID = %q, want %q", got, tt.want)
			}
		})
	}
}

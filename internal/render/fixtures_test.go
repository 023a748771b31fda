package render

import "github.com/kriscelmer/os-tui/tools"

// serverList is a small server list with the awkward cases a table must
// cope with: wide and combining characters, long lists, maps, nil, bools
// and a long column.
func serverList() *tools.List {
	return &tools.List{
		Columns: []tools.Column{
			{Name: "ID"},
			{Name: "Name"},
			{Name: "Status", Kind: tools.Status},
			{Name: "Networks"},
			{Name: "Image"},
			{Name: "Flavor"},
			{Name: "Locked", Long: true},
			{Name: "Properties", Long: true},
			{Name: "Created", Long: true, Kind: tools.Time},
		},
		Rows: [][]any{
			{"0b1a6c0e-6e5f-4c55-9d38-1d2c4b7a9f01", "web-1", "ACTIVE",
				[]string{"private=10.0.0.5", "public=203.0.113.7"}, "ubuntu-24.04", "m1.small",
				false, map[string]string{"role": "web", "env": "prod"}, "2025-01-02T03:04:05Z"},
			{"5d0e7f6a-3b1c-4e2d-8f9a-0c1b2d3e4f52", "データベース", "ERROR",
				[]string{"private=10.0.0.9"}, "debian-12", "m1.large",
				true, map[string]string{}, "2025-02-03T04:05:06Z"},
			{"9c8b7a6d-5e4f-4a3b-2c1d-0e9f8a7b6c53", "Café-α", "BUILD",
				[]string{}, nil, "m1.tiny", false, nil, "2025-03-04T05:06:07Z"},
			{"1f2e3d4c-5b6a-4978-8695-a4b3c2d1e054", "batch", "SHUTOFF",
				nil, "cirros", "m1.tiny", false, map[string]string{"owner": "team \"ops\""}, nil},
		},
	}
}

func volumeList() *tools.List {
	return &tools.List{
		Columns: []tools.Column{
			{Name: "ID"},
			{Name: "Name"},
			{Name: "Status", Kind: tools.Status},
			{Name: "Size"},
			{Name: "Bootable"},
		},
		Rows: [][]any{
			{"v1", "data", "available", 100, false},
			{"v2", "Backup", "in-use", 8, true},
			{"v3", "alpha", "error_deleting", 1024, false},
			{"v4", "zeta", "creating", 20, false},
		},
	}
}

func serverRecord() *tools.Record {
	return &tools.Record{Fields: []tools.Field{
		{Name: "id", Value: "0b1a6c0e-6e5f-4c55-9d38-1d2c4b7a9f01"},
		{Name: "name", Value: "web-1"},
		{Name: "status", Value: "ACTIVE", Kind: tools.Status},
		{Name: "addresses", Value: []string{"private=10.0.0.5", "public=203.0.113.7"}},
		{Name: "properties", Value: map[string]string{"role": "web", "env": "prod"}},
		{Name: "locked", Value: false},
		{Name: "progress", Value: 0},
		{Name: "fault", Value: nil},
		{Name: "description", Value: "Front-end web server for the public site, behind the load balancer; rebuilt nightly from the golden image."},
		{Name: "created", Value: "2025-01-02T03:04:05Z", Kind: tools.Time},
	}}
}

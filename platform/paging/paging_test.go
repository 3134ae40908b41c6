package paging_test

import (
	"testing"

	"github.com/jangteo/jangteo/platform/paging"
)

func TestPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number, size   int
		want           paging.Page
		offset         int
		total, wantMax int64
		pages          int
	}{
		{0, 0, paging.Page{Number: 1, Size: 20}, 0, 0, 0, 0},
		{3, 10, paging.Page{Number: 3, Size: 10}, 20, 21, 0, 3},
		{2, 500, paging.Page{Number: 2, Size: 100}, 100, 200, 0, 2},
		{-4, -1, paging.Page{Number: 1, Size: 20}, 0, 41, 0, 3},
	}
	for _, tt := range tests {
		p := paging.New(tt.number, tt.size, 20, 100)
		if p != tt.want || p.Offset() != tt.offset || p.TotalPages(tt.total) != tt.pages {
			t.Errorf("New(%d, %d) = %+v offset %d pages(%d) %d; want %+v %d %d",
				tt.number, tt.size, p, p.Offset(), tt.total, p.TotalPages(tt.total), tt.want, tt.offset, tt.pages)
		}
	}
}

// Package paging is page/size paging for lists that show a page picker with a
// total (catalog browse, admin lists); feeds use keyset cursors instead.
package paging

// Page is a 1-based page number and a page size.
type Page struct {
	Number int
	Size   int
}

// New applies the defaults (page 1, size def) to a request and caps the size
// at max.
func New(number, size, def, max int) Page {
	if number < 1 {
		number = 1
	}
	if size < 1 {
		size = def
	}
	return Page{Number: number, Size: min(size, max)}
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// TotalPages is how many pages total items fill.
func (p Page) TotalPages(total int64) int {
	return int((total + int64(p.Size) - 1) / int64(p.Size))
}

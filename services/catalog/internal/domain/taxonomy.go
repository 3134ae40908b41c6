package domain

// Category is a node of the category tree.
type Category struct {
	ID          string
	Slug        string
	Name        string
	Description string
	ParentID    string
	ImageURL    string
	Children    []Category
}

// CategoryPatch lists the category fields an update changes; nil leaves a field.
type CategoryPatch struct {
	Name, Slug, Description, ParentID, ImageURL *string
}

// Apply changes c by the patch.
func (p CategoryPatch) Apply(c *Category) {
	set(&c.Name, p.Name)
	set(&c.Slug, p.Slug)
	set(&c.Description, p.Description)
	set(&c.ParentID, p.ParentID)
	set(&c.ImageURL, p.ImageURL)
}

// Cause is a social problem brands work on.
type Cause struct {
	ID       string
	Slug     string
	Name     string
	ImageURL string
	Summary  string
	Body     string
	Brands   []Brand
}

// CausePatch lists the cause fields an update changes; nil leaves a field.
type CausePatch struct {
	Name, Slug, ImageURL, Summary, Body *string
}

// Apply changes c by the patch.
func (p CausePatch) Apply(c *Cause) {
	set(&c.Name, p.Name)
	set(&c.Slug, p.Slug)
	set(&c.ImageURL, p.ImageURL)
	set(&c.Summary, p.Summary)
	set(&c.Body, p.Body)
}

// Brand is a maker whose products the shop sells, optionally working on a cause.
type Brand struct {
	ID          string
	Slug        string
	Name        string
	LogoURL     string
	HomepageURL string
	Summary     string
	Description string
	CauseID     string
	CauseSlug   string
}

// BrandPatch lists the brand fields an update changes; nil leaves a field.
type BrandPatch struct {
	Name, Slug, LogoURL, HomepageURL, Summary, Description, CauseID *string
}

// Apply changes b by the patch.
func (p BrandPatch) Apply(b *Brand) {
	set(&b.Name, p.Name)
	set(&b.Slug, p.Slug)
	set(&b.LogoURL, p.LogoURL)
	set(&b.HomepageURL, p.HomepageURL)
	set(&b.Summary, p.Summary)
	set(&b.Description, p.Description)
	set(&b.CauseID, p.CauseID)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

package domain

// VariantRef is how a shopper names what to add: a variant id, or a product
// (slug or id) and the option values they chose.
type VariantRef struct {
	Product   string
	Options   map[string]string
	VariantID string
}

// Field is the request field to blame when the reference leads nowhere.
func (r VariantRef) Field() string {
	if r.VariantID != "" {
		return "variant_id"
	}
	return "product"
}

// Variant is a catalog variant as the cart sees it now.
type Variant struct {
	ID          string
	ProductID   string
	ProductSlug string
	ProductName string
	ImageURL    string
	SKU         string
	Options     map[string]string
	UnitPrice   Money
	Stock       int64
	// Available says the product is on sale (available and not archived).
	Available bool
}

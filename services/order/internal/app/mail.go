package app

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// confirmationView is what the confirmation templates show.
type confirmationView struct {
	Order    domain.Order
	Lines    []lineView
	Subtotal string
	Tax      string
	Shipping string
	Total    string
	URL      string
}

type lineView struct {
	Name     string
	Quantity int32
	Price    string
	Total    string
}

// formatMoney renders minor units for people: "₩123,000" for KRW, else
// "12.34 USD".
func formatMoney(amount int64, currency string) string {
	if currency == "KRW" {
		return "₩" + groupThousands(amount)
	}
	return fmt.Sprintf("%s.%02d %s", groupThousands(amount/100), amount%100, currency)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func newConfirmationView(o domain.Order, publicURL string) confirmationView {
	c := o.Amounts.Currency
	v := confirmationView{
		Order: o, Subtotal: formatMoney(o.Amounts.Subtotal, c), Tax: formatMoney(o.Amounts.Tax, c),
		Shipping: formatMoney(o.Amounts.ShippingFee, c), Total: formatMoney(o.Amounts.GrandTotal, c),
		URL: strings.TrimRight(publicURL, "/") + "/v1/orders/" + o.Number,
	}
	for _, l := range o.Lines {
		v.Lines = append(v.Lines, lineView{Name: label(l.ProductName, l.Options), Quantity: l.Quantity,
			Price: formatMoney(l.UnitPrice, c), Total: formatMoney(l.Total(), c)})
	}
	return v
}

var confirmationText = texttemplate.Must(texttemplate.New("text").Parse(`Thank you for your order, {{.Order.Shipping.Name}}.

Order {{.Order.Number}} is paid and will be prepared for shipping.

{{range .Lines}}  {{.Name}}  × {{.Quantity}}  {{.Price}}  = {{.Total}}
{{end}}
  Subtotal  {{.Subtotal}}
  Tax       {{.Tax}}
  Shipping  {{.Shipping}}
  Total     {{.Total}}

Shipping to:
  {{.Order.Shipping.Name}} ({{.Order.Shipping.Phone}})
  {{.Order.Shipping.Line1}}{{with .Order.Shipping.Line2}}, {{.}}{{end}}
  {{.Order.Shipping.PostalCode}} {{.Order.Shipping.City}}, {{.Order.Shipping.Country}}
{{with .Order.Shipping.Note}}  Note: {{.}}
{{end}}
Your order: {{.URL}}
`))

var confirmationHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family: sans-serif">
<h1>Thank you for your order</h1>
<p>Order <strong>{{.Order.Number}}</strong> is paid and will be prepared for shipping.</p>
<table cellpadding="4">
<tr><th align="left">Item</th><th>Qty</th><th align="right">Price</th><th align="right">Total</th></tr>
{{range .Lines}}<tr><td>{{.Name}}</td><td align="center">{{.Quantity}}</td><td align="right">{{.Price}}</td><td align="right">{{.Total}}</td></tr>
{{end}}<tr><td colspan="3" align="right">Subtotal</td><td align="right">{{.Subtotal}}</td></tr>
<tr><td colspan="3" align="right">Tax</td><td align="right">{{.Tax}}</td></tr>
<tr><td colspan="3" align="right">Shipping</td><td align="right">{{.Shipping}}</td></tr>
<tr><td colspan="3" align="right"><strong>Total</strong></td><td align="right"><strong>{{.Total}}</strong></td></tr>
</table>
<h2>Shipping to</h2>
<p>{{.Order.Shipping.Name}} ({{.Order.Shipping.Phone}})<br>
{{.Order.Shipping.Line1}}{{with .Order.Shipping.Line2}}, {{.}}{{end}}<br>
{{.Order.Shipping.PostalCode}} {{.Order.Shipping.City}}, {{.Order.Shipping.Country}}</p>
{{with .Order.Shipping.Note}}<p>Note: {{.}}</p>{{end}}
<p><a href="{{.URL}}">Your order</a></p>
</body></html>
`))

func confirmationMail(o domain.Order, publicURL string) mail.Message {
	v := newConfirmationView(o, publicURL)
	var text, html bytes.Buffer
	// The templates are fixed and their data are plain values: they cannot fail.
	_ = confirmationText.Execute(&text, v)
	_ = confirmationHTML.Execute(&html, v)
	return mail.Message{
		To:      o.Shipping.Email,
		Subject: fmt.Sprintf("[Jangteo] Order %s confirmed — %s", o.Number, v.Total),
		Text:    text.String(),
		HTML:    html.String(),
	}
}

func lateApprovalMail(o domain.Order, p Approval) mail.Message {
	amount := formatMoney(p.Amount, p.Currency)
	return mail.Message{
		To:      o.Shipping.Email,
		Subject: fmt.Sprintf("[Jangteo] Your payment for order %s was refunded", o.Number),
		Text: fmt.Sprintf(`Hello %s,

Your payment of %s for order %s arrived after the order could no longer be paid
(it is %s). We have refunded the full %s; depending on your card issuer it
shows on your statement within a few days.

You can place the order again from your cart.
`, o.Shipping.Name, amount, o.Number, o.Status, amount),
	}
}

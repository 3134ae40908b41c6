package grpcapi

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/events"
)

func toProtoMoney(amount int64, currency string) *typev1.Money {
	return &typev1.Money{Amount: amount, Currency: currency}
}

func toProtoStatus(s domain.Status) orderv1.OrderStatus { return events.Statuses[s] }

func toDomainStatus(s orderv1.OrderStatus) domain.Status {
	for d, p := range events.Statuses {
		if p == s {
			return d
		}
	}
	return ""
}

func timestamp(t interface{ IsZero() bool }, ts *timestamppb.Timestamp) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return ts
}

// toProtoOrder converts an order; withHistory is false for lists.
func toProtoOrder(o domain.Order, withHistory bool) *orderv1.Order {
	c := o.Amounts.Currency
	out := &orderv1.Order{
		Id: o.ID, Number: o.Number, UserId: o.UserID, Kind: toProtoKind(o.Kind),
		Status: toProtoStatus(o.Status), ItemCount: o.ItemCount(),
		Subtotal: toProtoMoney(o.Amounts.Subtotal, c), Tax: toProtoMoney(o.Amounts.Tax, c),
		ShippingFee: toProtoMoney(o.Amounts.ShippingFee, c), GrandTotal: toProtoMoney(o.Amounts.GrandTotal, c),
		RefundedAmount: toProtoMoney(o.RefundedAmount, c),
		Shipping:       ShippingToProto(o.Shipping),
		PayableUntil:   timestamppb.New(o.PayableUntil),
		PaymentId:      o.PaymentID, Carrier: o.Carrier, TrackingNumber: o.TrackingNumber,
		CreateTime: timestamppb.New(o.CreatedAt), UpdateTime: timestamppb.New(o.UpdatedAt),
		PaidTime: timestamp(o.PaidAt, timestamppb.New(o.PaidAt)),
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, &orderv1.OrderLine{
			LineNumber: l.Number, ProductId: l.ProductID, VariantId: l.VariantID, ProductName: l.ProductName,
			ProductSlug: l.ProductSlug, Sku: l.SKU, Options: l.Options, UnitPrice: toProtoMoney(l.UnitPrice, c),
			Quantity: l.Quantity, LineTotal: toProtoMoney(l.Total(), c), RefundedQuantity: l.RefundedQuantity,
		})
	}
	if withHistory {
		for _, e := range o.History {
			out.History = append(out.History, &orderv1.OrderEvent{
				Time: timestamppb.New(e.At), Actor: e.Actor, From: toProtoStatus(e.From), To: toProtoStatus(e.To), Note: e.Note,
			})
		}
	}
	return out
}

// ShippingToProto is shipping details in the API's form.
func ShippingToProto(s domain.Shipping) *orderv1.ShippingDetails {
	return &orderv1.ShippingDetails{
		Name: s.Name, Phone: s.Phone, Email: s.Email, Line1: s.Line1, Line2: s.Line2,
		PostalCode: s.PostalCode, City: s.City, Country: s.Country, Note: s.Note,
	}
}

// ShippingFromProto is the API's shipping details (already validated by
// the message's rules) as the domain's.
func ShippingFromProto(s *orderv1.ShippingDetails) domain.Shipping {
	return domain.Shipping{
		Name: s.GetName(), Phone: s.GetPhone(), Email: s.GetEmail(), Line1: s.GetLine1(), Line2: s.GetLine2(),
		PostalCode: s.GetPostalCode(), City: s.GetCity(), Country: s.GetCountry(), Note: s.GetNote(),
	}
}

func toProtoKind(kind string) orderv1.OrderKind {
	if kind == "market" {
		return orderv1.OrderKind_ORDER_KIND_MARKET
	}
	return orderv1.OrderKind_ORDER_KIND_GOODS
}

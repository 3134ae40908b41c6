package grpcapi

import (
	"bytes"
	"context"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/api/httpbody"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
)

// GetSandboxPage implements paymentv1.PaymentServiceServer: the sandbox
// provider's approval page, plain HTML with two forms and no scripts.
func (s *Server) GetSandboxPage(ctx context.Context, req *paymentv1.GetSandboxPageRequest) (*httpbody.HttpBody, error) {
	p, err := s.app.SandboxPayment(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := sandboxPage.Execute(&b, sandboxView(p)); err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/html; charset=utf-8", Data: b.Bytes()}, nil
}

type sandboxPageView struct {
	OrderNumber, Amount          string
	Ready                        bool
	Status, StatusKo             string
	ApproveAction, DeclineAction string
	ReturnURL                    string
}

var statusKo = map[domain.Status]string{
	domain.StatusCreated:           "준비 중",
	domain.StatusReady:             "승인 대기",
	domain.StatusApproved:          "승인 완료",
	domain.StatusFailed:            "거절됨",
	domain.StatusCancelled:         "취소됨",
	domain.StatusPartiallyRefunded: "부분 환불",
	domain.StatusRefunded:          "환불 완료",
}

func sandboxView(p domain.Payment) sandboxPageView {
	base := "/v1/payments/" + url.PathEscape(p.ID) + "/sandbox"
	return sandboxPageView{
		OrderNumber: p.OrderNumber, Amount: formatMoney(p.Amount, p.Currency),
		Ready: p.Status == domain.StatusReady, Status: strings.ReplaceAll(string(p.Status), "_", " "), StatusKo: statusKo[p.Status],
		ApproveAction: base + ":approve", DeclineAction: base + ":decline",
		ReturnURL: p.ReturnTo(p.Status.Paid()),
	}
}

// minorDigits are the currencies whose minor unit is not a hundredth.
var minorDigits = map[string]int{"KRW": 0, "JPY": 0, "VND": 0}

// formatMoney shows minor units as a person reads them: "₩12,000", "12.50 USD".
func formatMoney(amount int64, currency string) string {
	digits, ok := minorDigits[currency]
	if !ok {
		digits = 2
	}
	pow := int64(1)
	for range digits {
		pow *= 10
	}
	whole, frac := amount/pow, amount%pow
	s := groupThousands(whole)
	if digits > 0 {
		f := strconv.FormatInt(frac, 10)
		s += "." + strings.Repeat("0", digits-len(f)) + f
	}
	if currency == "KRW" {
		return "₩" + s
	}
	return s + " " + currency
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var sandboxPage = template.Must(template.New("sandbox").Parse(`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jangteo 샌드박스 결제 · Sandbox payment</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.3rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; }
dt { color: #666; }
dd { margin: 0; font-weight: 600; }
form { display: inline; }
button { font-size: 1rem; padding: .6rem 1.2rem; margin: 1rem .5rem 0 0; border-radius: .4rem; border: 1px solid #999; cursor: pointer; }
.approve { background: #1a7f37; color: #fff; border-color: #1a7f37; }
.note { color: #666; font-size: .85rem; margin-top: 2rem; }
</style>
</head>
<body>
<h1>샌드박스 결제 · Sandbox payment</h1>
<dl>
<dt>주문번호 · Order</dt><dd id="order-number">{{.OrderNumber}}</dd>
<dt>결제 금액 · Amount</dt><dd id="amount">{{.Amount}}</dd>
<dt>상태 · Status</dt><dd id="status">{{.StatusKo}} · {{.Status}}</dd>
</dl>
{{if .Ready}}
<form method="post" action="{{.ApproveAction}}"><button class="approve" type="submit">승인 · Approve</button></form>
<form method="post" action="{{.DeclineAction}}"><button type="submit">거절 · Decline</button></form>
{{else}}
<p>이 결제는 더 이상 승인하거나 거절할 수 없습니다. · This payment can no longer be approved or declined.</p>
<p><a href="{{.ReturnURL}}">상점으로 돌아가기 · Back to the shop</a></p>
{{end}}
<p class="note">실제로 돈이 오가지 않는 개발용 결제입니다. · A development payment: no money moves.</p>
</body>
</html>
`))

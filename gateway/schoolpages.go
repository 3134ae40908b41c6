package gateway

import (
	"context"
	"net/http"
	"time"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

// School email links land on a page like the sign-up one:
//
//	GET  /verify-school-email?token=…  a page whose button confirms the address
//	POST /verify-school-email          (the button) → the community's VerifySchoolEmail
//
// As with the other mail pages, opening the link changes nothing.
type schoolPages struct {
	mailPages
	campus communityv1.CampusServiceClient
}

func (p schoolPages) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /verify-school-email", p.verifyForm)
	mux.HandleFunc("POST /verify-school-email", p.verify)
}

const schoolTitle = "학교 인증 / Confirm your school"

func (p schoolPages) verifyForm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" || len(tok) > 200 {
		p.render(w, r, http.StatusBadRequest, pageData{Title: schoolTitle, Message: "링크가 올바르지 않습니다. / This link is not valid."})
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: schoolTitle, OK: true,
		Message: "아래 버튼을 눌러 학교 이메일을 확인하세요. / Press the button to confirm your school email.",
		Action:  "/verify-school-email", Token: tok, Button: "학교 인증 / Confirm"})
}

func (p schoolPages) verify(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	resp, err := p.campus.VerifySchoolEmail(ctx, &communityv1.VerifySchoolEmailRequest{Token: r.PostFormValue("token")})
	if err != nil {
		code, msg := p.failure(r, err)
		p.render(w, r, code, pageData{Title: schoolTitle, Message: msg})
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: schoolTitle, OK: true,
		Message: resp.GetMembership().GetSchool().GetName() + " 인증이 끝났습니다. / You are now a member of your school."})
}

package catalog

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/jangteo/jangteo/services/catalog/internal/spaces/domain"
)

// DemoSpaceHost is the user the demo spaces belong to (a host without an
// account: the spaces are there to be searched and booked).
const DemoSpaceHost = "00000000-0000-7000-8000-000000000057"

type demoSpace struct {
	name, district, category, address string
	min, max                          int
	day, night, allDay                int64 // 0: not offered
	facilities                        []string
}

var demoSpaces = []demoSpace{
	{"합정 자연광 스튜디오", "mapo", "studio", "서울 마포구 양화로 45", 2, 8, 50000, 40000, 80000, []string{"wifi", "lighting", "mirror"}},
	{"연남동 루프탑 파티룸", "mapo", "rooftop", "서울 마포구 동교로 250", 6, 20, 150000, 180000, 300000, []string{"wifi", "sound_system", "kitchen"}},
	{"강남역 세미나실 A", "gangnam", "seminar_room", "서울 강남구 강남대로 396", 10, 40, 120000, 0, 0, []string{"wifi", "projector", "microphone", "whiteboard"}},
	{"역삼 회의실 4인", "gangnam", "meeting_room", "서울 강남구 테헤란로 152", 1, 4, 30000, 25000, 50000, []string{"wifi", "tv", "whiteboard"}},
	{"성수 쿠킹 스튜디오", "seongdong", "kitchen", "서울 성동구 성수이로 78", 4, 12, 90000, 70000, 150000, []string{"kitchen", "wifi", "parking"}},
	{"서울숲 파티룸 빛", "seongdong", "party_room", "서울 성동구 왕십리로 83", 4, 16, 110000, 130000, 210000, []string{"sound_system", "tv", "kitchen"}},
	{"홍대 합주실 B", "mapo", "practice_room", "서울 마포구 와우산로 94", 2, 6, 20000, 15000, 30000, []string{"sound_system", "microphone", "air_conditioning"}},
	{"종로 한옥 모임공간", "jongno", "meeting_room", "서울 종로구 북촌로 31", 4, 10, 70000, 0, 0, []string{"wifi", "heating", "restroom"}},
	{"이태원 댄스 연습실", "yongsan", "practice_room", "서울 용산구 이태원로 177", 2, 15, 40000, 30000, 60000, []string{"mirror", "sound_system", "shower"}},
	{"잠실 키즈 파티룸", "songpa", "party_room", "서울 송파구 올림픽로 300", 5, 20, 100000, 0, 0, []string{"kitchen", "tv", "parking", "elevator"}},
	{"여의도 비즈니스 라운지", "yeongdeungpo", "seminar_room", "서울 영등포구 여의대로 108", 8, 30, 130000, 0, 0, []string{"wifi", "projector", "microphone", "elevator"}},
	{"신촌 북카페 대관", "seodaemun", "cafe", "서울 서대문구 연세로 12", 6, 25, 80000, 60000, 120000, []string{"wifi", "piano", "air_conditioning"}},
	{"건대 보드게임 파티룸", "gwangjin", "party_room", "서울 광진구 아차산로 200", 3, 10, 60000, 70000, 110000, []string{"tv", "wifi", "kitchen"}},
	{"망원 촬영 스튜디오 화이트", "mapo", "studio", "서울 마포구 포은로 60", 1, 6, 45000, 35000, 70000, []string{"lighting", "mirror", "wifi", "parking"}},
}

// seedDemoSpaces lists the demo spaces across Seoul, each with two
// pictures, unless spaces exist already. The order service's demo books a
// few of their slots.
func (s *Service) seedDemoSpaces(ctx context.Context) error {
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM spaces`).Scan(&n); err != nil || n > 0 {
		return err
	}
	for i, d := range demoSpaces {
		var opts []domain.SpaceOption
		for _, o := range []struct {
			kind  domain.Option
			price int64
		}{{domain.Day, d.day}, {domain.Night, d.night}, {domain.AllDay, d.allDay}} {
			if o.price > 0 {
				h := domain.DefaultHours[o.kind]
				opts = append(opts, domain.SpaceOption{Kind: o.kind, Price: o.price, StartHour: h[0], EndHour: h[1]})
			}
		}
		sp, err := s.spaces.CreateSpace(ctx, DemoSpaceHost, domain.Space{
			Name: d.name, District: d.district, Address: d.address, Category: d.category, MinPeople: d.min, MaxPeople: d.max,
			Currency: "KRW", Facilities: d.facilities, Options: opts,
			Description: fmt.Sprintf("%s — %d~%d명, 시간대별 대관.", d.name, d.min, d.max),
		})
		if err != nil {
			return fmt.Errorf("seed space %s: %w", d.name, err)
		}
		for shade := range 2 {
			if _, _, err := s.spaces.UploadImage(ctx, DemoSpaceHost, false, sp.ID, "image/png", demoPicture(i, shade)); err != nil {
				return fmt.Errorf("seed space %s picture: %w", d.name, err)
			}
		}
	}
	return nil
}

// demoPicture draws a small gradient PNG, a different hue per space.
func demoPicture(i, shade int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 100))
	base := color.RGBA{R: uint8(60 + i*13%180), G: uint8(90 + i*29%150), B: uint8(120 + i*47%120), A: 255}
	for y := range 100 {
		for x := range 160 {
			f := uint8((x + y) / 4 * (shade + 1) % 60)
			img.Set(x, y, color.RGBA{R: base.R + f/2, G: base.G + f/3, B: base.B, A: 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding into memory does not fail
	return buf.Bytes()
}

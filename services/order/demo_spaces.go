package order

import (
	"context"
	"fmt"
	"time"

	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// demoHost is the user the demo spaces belong to (a host without an
// account: the spaces are there to be searched and booked).
const demoHost = "00000000-0000-7000-8000-000000000057"

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

// SeedDemoSpaces lists demo spaces across Seoul and books a few of their
// slots in the coming days (confirmed), so a search by date shows taken and
// free slots. It does nothing when spaces exist already.
func (s *Service) SeedDemoSpaces(ctx context.Context) error {
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM spaces`).Scan(&n); err != nil || n > 0 {
		return err
	}
	var slugs []string
	for _, d := range demoSpaces {
		var opts []domain.SpaceOption
		for kind, price := range map[domain.Option]int64{domain.Day: d.day, domain.Night: d.night, domain.AllDay: d.allDay} {
			if price > 0 {
				h := domain.DefaultHours[kind]
				opts = append(opts, domain.SpaceOption{Kind: kind, Price: price, StartHour: h[0], EndHour: h[1]})
			}
		}
		sp, err := s.bookings.CreateSpace(ctx, demoHost, domain.Space{
			Name: d.name, District: d.district, Address: d.address, Category: d.category, MinPeople: d.min, MaxPeople: d.max,
			Currency: "KRW", Facilities: d.facilities, Options: opts,
		})
		if err != nil {
			return fmt.Errorf("seed space %s: %w", d.name, err)
		}
		slugs = append(slugs, sp.Slug)
	}
	today := time.Now().In(domain.Seoul)
	for i, b := range []struct {
		space, days int
		option      domain.Option
	}{{0, 1, domain.Day}, {0, 1, domain.Night}, {0, 3, domain.AllDay}, {1, 2, domain.Night}, {3, 1, domain.Day}, {4, 5, domain.AllDay}, {13, 2, domain.Day}} {
		d := demoSpaces[b.space]
		bk, err := s.bookings.Book(ctx, fmt.Sprintf("00000000-0000-7000-8000-0000000a%04d", i), domain.Request{
			Space: slugs[b.space], Date: today.AddDate(0, 0, b.days).Format(time.DateOnly), Option: string(b.option), People: d.min,
			Email: fmt.Sprintf("guest%d@jangteo.dev", i+1),
		})
		if err != nil {
			return fmt.Errorf("seed booking of %s: %w", d.name, err)
		}
		if _, err := s.rt.Pool.Exec(ctx, `UPDATE bookings SET status = 'confirmed' WHERE id = $1`, bk.ID); err != nil {
			return fmt.Errorf("seed booking of %s: %w", d.name, err)
		}
	}
	return nil
}

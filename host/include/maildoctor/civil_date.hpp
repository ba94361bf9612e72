#pragma once
// Calendar arithmetic without the C library's time zone: cut-off dates and the dates servers print are civil UTC
// dates, and timegm() does not exist on every target (MinGW).
namespace maildoctor {

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
constexpr long day_number(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static_assert(day_number(1970, 1, 1) == 0 && day_number(2000, 3, 1) == 11017, "days_from_civil");

}  // namespace maildoctor

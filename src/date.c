/*
 * date.c — calendar arithmetic on YYYYMMDD dates (date.h): the one place the
 * program converts between dates and day numbers.
 *
 * Day numbers count from 1970-01-01 in the proleptic Gregorian calendar, by
 * Howard Hinnant's days_from_civil / civil_from_days ("chrono-Compatible
 * Low-Level Date Algorithms"): the year is shifted to start in March so the
 * leap day falls at its end, and counted in 400-year eras of 146 097 days.
 * No libc time function is involved (no time zone, no locale, no time_t
 * range to worry about).
 */
#include "date.h"

int ip_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int ip_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && ip_is_leap_year(year))
        return 29;
    return days[month - 1];
}

int64_t ip_date_days(ip_date date)
{
    int64_t y = ip_date_year(date), m = ip_date_month(date), d = ip_date_day(date);
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;                                      /* 0..399 */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;    /* 0..365 */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* 0..146096 */
    return era * 146097 + doe - 719468;
}

ip_date ip_date_from_days(int64_t z)
{
    int64_t era, doe, yoe, y, doy, mp, d, m;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return ip_date_of((int)y, (int)m, (int)d);
}

ip_date ip_date_add_days(ip_date d, int n)
{
    return ip_date_from_days(ip_date_days(d) + n);
}

int64_t ip_date_days_between(ip_date from, ip_date to)
{
    return ip_date_days(to) - ip_date_days(from);
}

ip_date ip_date_month_start(ip_date d)
{
    return d / 100 * 100 + 1;
}

ip_date ip_date_month_after(ip_date d, int n)
{
    /* months since year 0, January = 0; floor division for negative ones */
    int64_t ym = (int64_t)ip_date_year(d) * 12 + ip_date_month(d) - 1 + n;
    int64_t y = ym >= 0 ? ym / 12 : -((-ym + 11) / 12);
    return ip_date_of((int)y, (int)(ym - y * 12) + 1, 1);
}

int ip_date_months_between(ip_date from, ip_date to)
{
    return (ip_date_year(to) - ip_date_year(from)) * 12 + ip_date_month(to) - ip_date_month(from);
}

int64_t ip_date_epoch(ip_date d)
{
    return ip_date_days(d) * 86400;
}

/* Digits by hand: the width is fixed whatever the value. */
const char *ip_date_str(ip_date d, char buf[11])
{
    uint32_t v = (uint32_t)(d < 0 ? 0 : d);
    int i;
    for (i = 9; i >= 0; i--) {
        if (i == 4 || i == 7) {
            buf[i] = '-';
            continue;
        }
        buf[i] = (char)('0' + v % 10);
        v /= 10;
    }
    buf[10] = '\0';
    return buf;
}

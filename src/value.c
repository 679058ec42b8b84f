/* value.c - dates and numbers of the ordered kinds; see value.h. */
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define ROC_OFFSET 1911 /* 民國 1 is 1912 */

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void value_date_ymd(long day, int *year, int *month, int *mday)
{
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

long value_date_day(int year, int month, int mday)
{
	return days_from_civil(year, month, mday);
}

static int month_days(long y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads 1 to max digits at *p; -1 when there are none or more. */
static long digits(const char **p, int max, int *count)
{
	long v = 0;
	int n = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > max)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*count = n;
	return n ? v : -1;
}

static bool skip(const char **p, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The separator after the year: "-", "/", ".", or 年 (then 月 after the
 * month); its length, 0 when there is none. */
static size_t year_sep(const char *p)
{
	if (*p == '-' || *p == '/' || *p == '.')
		return 1;
	return strncmp(p, "年", strlen("年")) == 0 ? strlen("年") : 0;
}

bool value_date_parse(const char *s, long *day, char **why)
{
	*why = NULL;
	const char *p = s;
	bool roc = skip(&p, "中華民國") || skip(&p, "民國");
	while (*p == ' ')
		p++;
	int ny, nm, nd;
	long y = digits(&p, 4, &ny);
	size_t sep = year_sep(p);
	if (y < 0 || !sep)
		return false;
	bool cjk = sep > 1;
	char c = *p;
	p += sep;
	long m = digits(&p, 2, &nm);
	if (m < 0 || (cjk ? !skip(&p, "月") : *p != c))
		return false;
	p += cjk ? 0 : 1;
	long d = digits(&p, 2, &nd);
	if (d < 0)
		return false;
	if (cjk)
		skip(&p, "日");
	else if (c == '-' && ny == 4 && *p == 'T') /* an .ods date-value's time */
		p += strspn(p + 1, "0123456789:.") + 1;
	if (*p)
		return false;
	roc = roc || ny <= 3;
	if (roc && y < 1) {
		*why = xstrdup("民國年份至少是 1");
		return false;
	}
	if (m < 1 || m > 12) {
		*why = xasprintf("沒有 %ld 月", m);
		return false;
	}
	long ad = roc ? y + ROC_OFFSET : y;
	if (ad < 1 || ad > 9999) {
		*why = xstrdup("年份超出範圍");
		return false;
	}
	if (d < 1 || d > month_days(ad, (int)m)) {
		*why = m == 2 && d == 29 ? xasprintf("%ld 年 2 月沒有 29 日", y)
					 : xasprintf("%ld 月沒有 %ld 日", m, d);
		return false;
	}
	*day = days_from_civil(ad, (int)m, (int)d);
	return true;
}

void value_date_format(long day, bool roc, char *out, size_t size)
{
	int y, m, d;
	value_date_ymd(day, &y, &m, &d);
	if (roc && y > ROC_OFFSET)
		snprintf(out, size, "%d/%02d/%02d", y - ROC_OFFSET, m, d);
	else
		snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

bool value_date_from_serial(const char *s, long *day)
{
	int64_t v;
	int decimals;
	if (value_number_parse(s, &v, &decimals) != 0)
		return false;
	long serial = (long)(v / VALUE_SCALE);
	if (serial < 1 || serial > 2958465)
		return false;
	/* serials from 61 on count from 1899-12-30; Excel's 1900-02-29 (60),
	 * which never was, is taken for the day after */
	long base = days_from_civil(1899, 12, 30);
	*day = serial >= 60 ? base + serial + (serial == 60) : base + serial + 1;
	return true;
}

time_t value_now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		errno = 0;
		long long v = strtoll(e, &end, 10);
		if (!*end && errno == 0 && v >= 0)
			return (time_t)v;
	}
	return time(NULL);
}

long value_today(void)
{
	time_t now = value_now();
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return days_from_civil(1970, 1, 1) + (long)(now / 86400);
	return days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday);
}

int value_number_parse(const char *s, int64_t *v, int *decimals)
{
	int64_t whole = 0, frac = 0, scale = VALUE_SCALE;
	int nwhole = 0, nfrac = 0;
	bool big = false;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, nwhole++) {
		whole = whole * 10 + (*p - '0');
		big |= whole >= 1000000000000LL;
		if (big)
			whole = 0; /* counted on, no longer kept */
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
			if (nfrac < VALUE_DECIMALS) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		if (!nfrac)
			return -1;
	}
	if (*p || !nwhole)
		return -1;
	*decimals = nfrac;
	if (big)
		return 1;
	*v = whole * VALUE_SCALE + frac;
	return 0;
}

void value_number_format(int64_t v, char *out, size_t size)
{
	int64_t whole = v / VALUE_SCALE, frac = v % VALUE_SCALE;
	if (frac < 0)
		frac = -frac;
	int n = snprintf(out, size, "%s%lld", v < 0 && whole == 0 ? "-" : "", (long long)whole);
	if (!frac || n < 0 || (size_t)n >= size)
		return;
	char f[8];
	snprintf(f, sizeof f, "%06lld", (long long)frac);
	size_t k = strlen(f);
	while (k > 0 && f[k - 1] == '0')
		f[--k] = '\0';
	snprintf(out + n, size - (size_t)n, ".%s", f);
}

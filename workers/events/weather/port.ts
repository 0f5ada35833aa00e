/** Where and which day: the day is the local calendar day in `timezone` (IANA, e.g. 'Europe/Rome'). */
export interface ForecastQuery {
  latitude: number;
  longitude: number;
  /** YYYY-MM-DD */
  date: string;
  timezone: string;
}

/** One day's forecast; a value the provider does not have for that day is null. */
export interface DailyForecast {
  /** YYYY-MM-DD */
  date: string;
  /** WMO weather interpretation code (0 clear sky ... 99 thunderstorm with heavy hail). */
  weatherCode: number | null;
  /** Plain-English words for the weather code ("Slight rain"). */
  summary: string | null;
  temperatureMinC: number | null;
  temperatureMaxC: number | null;
  /** Highest chance of precipitation over the day, 0-100. */
  precipitationProbabilityPercent: number | null;
  /** Highest wind speed at 10 m over the day, km/h. */
  windSpeedMaxKmh: number | null;
  /** Which provider forecast it ("open-meteo"). */
  source: string;
}

/**
 * The weather port. Adapters throw WeatherProviderError when the provider cannot answer
 * (unreachable, slow, an error status, an answer that is not a forecast).
 */
export interface WeatherProvider {
  /** How many days ahead, today included, the provider forecasts. */
  readonly forecastDays: number;
  dailyForecast(query: ForecastQuery, signal: AbortSignal): Promise<DailyForecast>;
}

/** The provider could not give a forecast; the message is for logs only, never for clients. */
export class WeatherProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WeatherProviderError';
  }
}

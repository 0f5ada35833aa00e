import type { Config } from '../../../shared/config.ts';
import { openMeteoProvider } from './open-meteo.ts';
import type { WeatherProvider } from './port.ts';

export type { DailyForecast, ForecastQuery, WeatherProvider } from './port.ts';
export { WeatherProviderError } from './port.ts';

/** The configured weather adapter (Open-Meteo at WEATHER_API_URL). */
export function createWeatherProvider(config: Config): WeatherProvider {
  return openMeteoProvider({ baseUrl: config.WEATHER_API_URL });
}

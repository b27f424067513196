import { json } from '../responses';
import type { Route } from '../router';
import { rejectUnsupported } from './common';

/** `GET /v2/store`: the store's profile (Information & Settings scope), used to show the store name. */
export function storeV2Routes(profile: { name: string; storeId: string }): Route[] {
  return [
    {
      method: 'GET', api: 'v2', path: '/store', scopes: ['information'],
      handle({ store, query }) {
        rejectUnsupported(query, []);
        const domain = `${store.storeHash}.mybigcommerce.example`;
        return json({
          id: store.storeHash,
          account_uuid: '00000000-0000-4000-8000-000000000000',
          domain,
          secure_url: `https://${domain}`,
          control_panel_base_url: `https://store-${store.storeHash}.mybigcommerce.example`,
          status: 'live',
          name: profile.name,
          first_name: 'Sandbox',
          last_name: 'Owner',
          address: '',
          country: 'United States',
          country_code: 'US',
          phone: '',
          admin_email: 'owner@example.com',
          order_email: 'orders@example.com',
          timezone: { name: 'Etc/UTC', raw_offset: 0, dst_offset: 0, dst_correction: false, date_format: { display: 'M jS Y', export: 'M jS Y', extended_display: 'M jS Y @ g:i A' } },
          language: 'en',
          currency: 'USD',
          currency_symbol: '$',
          decimal_separator: '.',
          thousands_separator: ',',
          decimal_places: 2,
          currency_symbol_location: 'left',
          weight_units: 'LBS',
          dimension_units: 'Inches',
          plan_name: 'Standard',
          plan_level: 'Standard',
          plan_is_trial: false,
          industry: '',
          is_price_entered_with_tax: false,
          store_id: Number(profile.storeId),
          default_site_id: 1000,
          default_channel_id: 1,
          features: { stencil_enabled: true, sitewidehttps_enabled: true, facebook_catalog_id: '', checkout_type: 'optimized', wishlists_enabled: true, multi_storefront_enabled: false },
        });
      },
    },
  ];
}

<?php
/**
 * What public pages get: the page's metadata as JSON, then the tracker's script tag.
 *
 * The tracker reads the JSON block by its id and sends it with each page view, so reports can
 * speak of categories, tags, authors and page types. Everything goes through WordPress's own
 * JSON encoding (with <, >, & and quotes escaped, so no value can close the script element)
 * and URL escaping.
 *
 * @package Parcours
 */

defined( 'ABSPATH' ) || exit;

/**
 * The page's type: post, page, a custom post type, home, front_page, archive kinds, search or 404.
 *
 * @return string
 */
function parcours_page_type() {
	if ( is_404() ) {
		return '404';
	}
	if ( is_search() ) {
		return 'search';
	}
	if ( is_front_page() ) {
		return 'front_page';
	}
	if ( is_home() ) {
		return 'home';
	}
	if ( is_singular() ) {
		return (string) get_post_type();
	}
	if ( is_category() ) {
		return 'category';
	}
	if ( is_tag() ) {
		return 'tag';
	}
	if ( is_author() ) {
		return 'author';
	}
	return is_archive() ? 'archive' : 'other';
}

/**
 * Names as people read them: WordPress stores term and display names HTML-encoded
 * ("Q&amp;A"); reports want "Q&A". Empty names are left out.
 *
 * @param string[] $names Names as stored.
 * @return string[]
 */
function parcours_names( $names ) {
	$decoded = array_map(
		static function ( $name ) {
			return html_entity_decode( (string) $name, ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		},
		$names
	);
	return array_values( array_filter( $decoded, 'strlen' ) );
}

/**
 * The metadata block the tracker sends with each event (its "m" field).
 *
 * @return array
 */
function parcours_page_metadata() {
	$meta = array( 'type' => parcours_page_type() );
	if ( is_singular() ) {
		$post           = get_queried_object();
		$meta['author']     = parcours_names( array( get_the_author_meta( 'display_name', (int) $post->post_author ) ) )[0] ?? '';
		$meta['categories'] = is_object_in_taxonomy( $post->post_type, 'category' )
			? parcours_names( wp_list_pluck( get_the_category( $post->ID ), 'name' ) ) : array();
		$tags               = get_the_tags( $post->ID );
		$meta['tags']       = is_array( $tags ) ? parcours_names( wp_list_pluck( $tags, 'name' ) ) : array();
	} elseif ( is_category() || is_tag() ) {
		$meta[ is_category() ? 'categories' : 'tags' ] = parcours_names( array( get_queried_object()->name ) );
	} elseif ( is_author() ) {
		$meta['author'] = parcours_names( array( get_queried_object()->display_name ) )[0] ?? '';
	}
	foreach ( array( 'is_home', 'is_front_page', 'is_single', 'is_page', 'is_archive', 'is_search', 'is_404' ) as $flag ) {
		$meta[ $flag ] = (bool) call_user_func( $flag );
	}
	return $meta;
}

/**
 * Whether this request is tracked: a public page, a configured plugin, and not an editor's
 * visit when those are skipped, nor a 404 when those are not tracked.
 *
 * @return bool
 */
function parcours_tracks_this_request() {
	if ( '' === parcours_script_url() || is_admin() || is_feed() || is_robots() || is_preview() ) {
		return false;
	}
	if ( '1' === parcours_option( 'parcours_skip_editors' ) && current_user_can( 'edit_others_posts' ) ) {
		return false;
	}
	return ! ( is_404() && '1' !== parcours_option( 'parcours_track_404' ) );
}

/**
 * Prints the metadata block, the search event when there is one, and the script tag (wp_head).
 */
function parcours_print_tracking() {
	if ( ! parcours_tracks_this_request() ) {
		return;
	}
	$flags = JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_UNICODE;
	echo '<script type="application/json" id="parcours-meta">' . wp_json_encode( parcours_page_metadata(), $flags ) . "</script>\n";
	if ( is_search() && '1' === parcours_option( 'parcours_track_search' ) ) {
		$event = wp_json_encode( array( 'query' => mb_substr( get_search_query( false ), 0, 200 ) ), $flags );
		echo '<script>window.parcours=window.parcours||function(){(window.parcours.q=window.parcours.q||[]).push(arguments)};'
			. 'window.parcours("search",' . $event . ");</script>\n"; // phpcs:ignore WordPress.Security.EscapeOutput -- JSON with <, >, &, quotes escaped.
	}
	printf( "<script defer src=\"%s\"></script>\n", esc_url( parcours_script_url() ) );
}
